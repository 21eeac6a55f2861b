// Runs `prisma generate` on a machine without internet access.
// The generator needs no native engine (prisma-client + driver adapter), but the CLI still looks for
// the schema engine binary before generating; it never runs it for `generate`, so any existing file
// satisfies the check (see docs/adr/0002-sql-migrations-and-tenant-aware-runner.md).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
const result = spawnSync(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
