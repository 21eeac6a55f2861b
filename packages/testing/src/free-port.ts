import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The ports the OS hands out itself, for listen(0) and for the local end of every outgoing
 * connection (to Postgres, Redis, a service under test). A port chosen inside this range and
 * released can be taken by any of those before the server meant for it binds it; a fresh-clone CI
 * run lost a test to that ("Port 44131 for billing is taken").
 */
function ephemeralRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && low > 0 && high >= low) return { low, high };
  } catch {
    // Not Linux: the usual range.
  }
  return { low: 32768, high: 60999 };
}

/** Where chosen ports come from: below the OS's own range (or above it when that leaves too few). */
const choosable = ((): { low: number; high: number } => {
  const { low, high } = ephemeralRange();
  return low - 10_000 >= 5_000 ? { low: 10_000, high: low - 1 } : { low: high + 1, high: 65_535 };
})();

function bindsNow(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A loopback port free right now and outside the range the OS hands out on its own, so only
 * another caller choosing the same number can take it before its server binds it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = choosable.low + Math.floor(Math.random() * (choosable.high - choosable.low + 1));
    if (await bindsNow(port)) return port;
  }
  throw new Error(`no free port in ${choosable.low}–${choosable.high} after 100 tries`);
}

/**
 * Hands out free loopback ports, never one of `taken` and never the same one twice: ports handed out
 * for other servers that have not bound them yet are free to the OS too.
 */
export function portAllocator(taken: Iterable<number> = []): () => Promise<number> {
  const given = new Set(taken);
  return async () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await freePort();
      if (given.has(port)) continue;
      given.add(port);
      return port;
    }
    throw new Error(`no free port outside ${[...given].join(', ')} after 50 tries`);
  };
}
