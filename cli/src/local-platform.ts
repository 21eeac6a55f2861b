// The platform `npm start` runs in this checkout, as it describes itself in
// <data dir>/local-platform.json (written at start, removed at stop; the data dir is .data/ or
// MINDBOT_DATA_DIR). A CLI run that names no database works on that platform, so the commands in the
// README work right after `npm start` without copying its URLs and secrets around.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export const localPlatformSchema = z.object({
  pid: z.int(),
  DATABASE_URL: z.string(),
  BILLING_URL: z.string().optional(),
  GATEWAY_URL: z.string().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_API_URL: z.string().optional(),
  MINDBOT_REGION: z.string().optional(),
});
export type LocalPlatform = z.infer<typeof localPlatformSchema>;

export function localPlatformFile(env: NodeJS.ProcessEnv): string {
  return join(env.MINDBOT_DATA_DIR ?? join(repoRoot, '.data'), 'local-platform.json');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `env` completed with the running local platform's settings when it names no database; otherwise
 * (or when no local platform runs) `env` as it is. Only unset variables are filled.
 */
export function withLocalPlatform(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; local: boolean } {
  if (env.DATABASE_URL) return { env, local: false };
  let described: LocalPlatform;
  try {
    described = localPlatformSchema.parse(JSON.parse(readFileSync(localPlatformFile(env), 'utf8')));
  } catch {
    return { env, local: false };
  }
  if (!alive(described.pid)) return { env, local: false };
  const { pid: _pid, ...settings } = described;
  const filled: NodeJS.ProcessEnv = { ...env };
  // JSON has no undefined: every key present carries a value.
  for (const [name, value] of Object.entries(settings)) if (filled[name] === undefined) filled[name] = value;
  return { env: filled, local: true };
}
