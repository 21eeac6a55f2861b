// A PostgreSQL server of the chaos run's own: Debian's initdb and postgres on a free port, data in a
// temporary directory, so the run can stop and start it under load without touching anyone's database.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '@mindbot/testing';

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/mindbot */
  url: string;
  /** Stops it with a fast shutdown (clients are disconnected), waits `downMs`, starts it again and waits until it answers. */
  restart(downMs: number): Promise<void>;
  stop(): Promise<void>;
}

const BIN = process.env.CHAOS_PG_BIN ?? '/usr/local/bin';

/** Postgres refuses to run as root: as root, the server runs as the `postgres` system user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
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

export async function startPostgresServer(): Promise<PostgresServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mindbot-chaos-pg-'));
  const owner = runAs();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  execFileSync(join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'], {
    stdio: 'ignore',
    ...(owner ?? {}),
  });
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  const up = async () => {
    child = spawn(
      join(BIN, 'postgres'),
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=300'],
      { stdio: 'ignore', ...(owner ?? {}) },
    );
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
      if (await answers(adminUrl)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`postgres did not start on port ${port}`);
  };
  const down = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((r) => running.once('exit', r));
    // SIGINT: fast shutdown, as `pg_ctl stop -m fast` (every client is disconnected, nothing is lost).
    running.kill('SIGINT');
    await exited;
  };
  await up();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE mindbot');
  await admin.end();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/mindbot`,
    async restart(downMs) {
      await down();
      await new Promise((r) => setTimeout(r, downMs));
      await up();
    },
    async stop() {
      await down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
