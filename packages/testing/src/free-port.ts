import { createServer } from 'node:net';

/** A port the OS says is free right now on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A free port on loopback that is none of `taken`: ports handed out for other servers that have
 * not bound them yet are free to the OS too, and it may hand the same one out again.
 */
async function freePortExcept(taken: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (!taken.has(port)) return port;
  }
  throw new Error(`no free port outside ${[...taken].join(', ')} after 50 tries`);
}

/** Hands out free loopback ports, never one of `taken` and never the same one twice. */
export function portAllocator(taken: Iterable<number> = []): () => Promise<number> {
  const given = new Set(taken);
  return async () => {
    const port = await freePortExcept(given);
    given.add(port);
    return port;
  };
}
