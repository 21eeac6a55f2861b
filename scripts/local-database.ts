// Where `npm start` keeps its embedded PostgreSQL on this machine (the git-ignored .data/), so the
// scripts that work on the same platform (npm start itself, npm run load:seed) find it the same way.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export function embeddedPaths(root: string): { dataDir: string; passwordFile: string } {
  return { dataDir: join(root, '.data/postgres'), passwordFile: join(root, '.data/postgres.password') };
}

/** The embedded server's password: made once per machine, kept beside its data, readable by its owner only. */
export async function localPassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(18).toString('base64url');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

/** The port of the embedded server running on `dataDir` (its postmaster.pid names a live process), if any. */
export async function runningEmbeddedPort(dataDir: string): Promise<number | undefined> {
  try {
    const [pid, , , port] = (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
    process.kill(Number(pid), 0);
    return Number(port);
  } catch {
    return undefined;
  }
}

/** The platform database (`mindbot`) on the embedded server. */
export function embeddedDatabaseUrl(password: string, port: number): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/mindbot`;
}

/** The database of the platform `npm start` runs on its embedded PostgreSQL right now, if it does. */
export async function runningLocalDatabaseUrl(root: string): Promise<string | undefined> {
  const { dataDir, passwordFile } = embeddedPaths(root);
  const port = await runningEmbeddedPort(dataDir);
  if (port === undefined) return undefined;
  try {
    return embeddedDatabaseUrl((await readFile(passwordFile, 'utf8')).trim(), port);
  } catch {
    return undefined;
  }
}
