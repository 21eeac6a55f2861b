import type { Redis } from 'ioredis';

/** One fixed-window counter after a call: its count and the seconds until its window closes. */
export interface WindowCount {
  count: number;
  /** Seconds until the window closes and the count starts again; what a 429's Retry-After should say. */
  resetSeconds: number;
}

const countOf = (replies: [Error | null, unknown][] | null, index: number): number => {
  const reply = replies?.[index];
  if (!reply) throw new Error('Redis answered no reply for a rate-limit counter.');
  if (reply[0]) throw reply[0];
  return Number(reply[1]);
};

/**
 * Adds one to each key's fixed-window counter, in one MULTI round trip. A window opens with the
 * key's first count and lasts `windowSeconds` (SET NX EX before INCR, so a count never lands on a
 * key without expiry, and later counts never push the window out). Throws when Redis cannot
 * answer: whether to fail open or closed is the caller's choice. Give it keys made by `tenantKey`
 * (one tenant per call), so they share a Redis Cluster slot.
 */
export async function countInWindows(redis: Redis, keys: readonly string[], windowSeconds: number): Promise<WindowCount[]> {
  const multi = redis.multi();
  for (const key of keys) multi.set(key, 0, 'EX', windowSeconds, 'NX').incr(key).ttl(key);
  const replies = await multi.exec();
  return keys.map((_, i) => {
    const ttl = countOf(replies, i * 3 + 2);
    return { count: countOf(replies, i * 3 + 1), resetSeconds: ttl > 0 ? ttl : windowSeconds };
  });
}

// Only where the window is still open, and never below zero: a late take-back must not create a
// key without expiry or hand out a spare attempt.
const UNCOUNT = `for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0`;

/** Takes back one count from each key's window (an attempt that, as it turned out, does not count). Throws when Redis cannot answer. */
export async function uncountInWindows(redis: Redis, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await redis.eval(UNCOUNT, keys.length, ...keys);
}
