import { Redis } from 'ioredis';
import type { Logger } from '@mindbot/logger';

export type { Redis };

/**
 * An ioredis client that never crashes the process: it retries with capped backoff while Redis is
 * away and fails commands fast (instead of queueing them) so callers can apply their fallback.
 */
export function createRedis(url: string, logger: Logger): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let reported = false;
  client.on('error', (error: Error) => {
    if (!reported) logger.warn({ err: error }, 'redis unreachable; retrying');
    reported = true;
  });
  client.on('ready', () => {
    if (reported) logger.info('redis reachable again');
    reported = false;
  });
  client.connect().catch(() => {
    // Reported by the error handler above; the retry strategy keeps trying.
  });
  return client;
}

export async function pingRedis(client: Redis): Promise<void> {
  await client.ping();
}
