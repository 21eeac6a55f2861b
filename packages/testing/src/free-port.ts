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
 * Hands out free loopback ports, never one of `taken` and never the same one twice: ports handed out
 * for other servers that have not bound them yet are free to the OS too, and it may hand one out again.
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
