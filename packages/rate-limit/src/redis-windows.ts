import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { toResetSeconds, type LimitRule, type Verdict, type WindowSpec } from './windows.js';

/**
 * Every rule of an attempt, checked and counted in one script (one round trip), so concurrent
 * attempts cannot all slip past the check. KEYS: the rules' keys (one tenant's, so they share a
 * Redis Cluster slot). ARGV: window ms, now ms, 'sliding' | 'fixed', count refused (1/0), then one
 * limit per key. Returns: allowed (1/0), deciding rule (1-based), remaining, ms until its window ends.
 */
const TAKE_LUA = `
local window = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local sliding = ARGV[3] == 'sliding'
local countRefused = ARGV[4] == '1'
local current = math.floor(now / window)
local elapsed = (now % window) / window
local counters, estimates, resets, ttls = {}, {}, {}, {}
local refused = 0
for i = 1, #KEYS do
  if sliding then
    counters[i] = KEYS[i] .. ':' .. current
    local prev = tonumber(redis.call('GET', KEYS[i] .. ':' .. (current - 1)) or '0')
    estimates[i] = math.floor(prev * (1 - elapsed)) + tonumber(redis.call('GET', counters[i]) or '0')
    resets[i] = window - (now % window)
  else
    counters[i] = KEYS[i]
    estimates[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
    ttls[i] = redis.call('PTTL', KEYS[i])
    if ttls[i] > 0 then resets[i] = ttls[i] else resets[i] = window end
  end
  if estimates[i] >= tonumber(ARGV[i + 4]) and (refused == 0 or resets[i] > resets[refused]) then refused = i end
end
if refused > 0 and not countRefused then return {0, refused, 0, resets[refused]} end
local best, bestRemaining = 1, nil
for i = 1, #KEYS do
  if sliding then
    if redis.call('INCR', counters[i]) == 1 then redis.call('PEXPIRE', counters[i], window * 2) end
  else
    -- A later count never pushes the window out; a key found without expiry gets one.
    redis.call('SET', counters[i], 0, 'PX', window, 'NX')
    redis.call('INCR', counters[i])
    if ttls[i] == -1 then redis.call('PEXPIRE', counters[i], window) end
  end
  local remaining = tonumber(ARGV[i + 4]) - (estimates[i] + 1)
  if bestRemaining == nil or remaining < bestRemaining then best, bestRemaining = i, remaining end
end
if refused > 0 then return {0, refused, 0, resets[refused]} end
return {1, best, bestRemaining, resets[best]}
`;

/**
 * A block of counts reserved ahead by one process (see `LocalHeadroom`), in the current sliding
 * window's counter, only while the rule's estimate plus the block stays within a cap. KEYS[1] a rule's
 * key; ARGV: window ms, now ms, block size, cap. Returns: the counts granted (the block or 0), the
 * rule's estimate after.
 */
const RESERVE_LUA = `
local window = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local size = tonumber(ARGV[3])
local current = math.floor(now / window)
local counter = KEYS[1] .. ':' .. current
local prev = tonumber(redis.call('GET', KEYS[1] .. ':' .. (current - 1)) or '0')
local estimate = math.floor(prev * (1 - (now % window) / window)) + tonumber(redis.call('GET', counter) or '0')
if estimate + size > tonumber(ARGV[4]) then return {0, estimate} end
if redis.call('INCRBY', counter, size) == size then redis.call('PEXPIRE', counter, window * 2) end
return {size, estimate + size}
`;

const GIVE_BACK_LUA = `
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
`;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const TAKE_SHA = sha1(TAKE_LUA);
const GIVE_BACK_SHA = sha1(GIVE_BACK_LUA);
const RESERVE_SHA = sha1(RESERVE_LUA);

async function run(redis: Redis, script: string, sha: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
    return redis.eval(script, keys.length, ...keys, ...args);
  }
}

function argsOf(rules: readonly LimitRule[], window: WindowSpec, now: number): string[] {
  return [String(window.ms), String(now), window.kind, window.countRefused ? '1' : '0', ...rules.map((r) => String(r.limit))];
}

function verdictOf(rules: readonly LimitRule[], reply: unknown): Verdict {
  if (!Array.isArray(reply) || reply.length !== 4) throw new Error('unexpected rate limit script reply');
  const [allowed, index, remaining, resetMs] = reply.map(Number) as [number, number, number, number];
  const rule = rules[index - 1];
  return {
    allowed: allowed === 1,
    rule: rule?.name ?? 'none',
    limit: rule?.limit ?? 0,
    remaining: Math.max(0, remaining),
    resetSeconds: toResetSeconds(resetMs),
  };
}

/** Checks and counts one attempt in Redis. Throws when Redis cannot answer; the caller applies its policy. */
export async function takeInRedis(redis: Redis, rules: readonly LimitRule[], window: WindowSpec, now: number): Promise<Verdict> {
  const reply = await run(
    redis,
    TAKE_LUA,
    TAKE_SHA,
    rules.map((r) => r.key),
    argsOf(rules, window, now),
  );
  return verdictOf(rules, reply);
}

interface PendingTake {
  rules: readonly LimitRule[];
  now: number;
  resolve: (verdict: Verdict) => void;
  reject: (error: unknown) => void;
}

/**
 * The same script, with every attempt made during one turn of the event loop sent to Redis in one
 * pipeline: one socket write and one read for all of them instead of one each. Under load the write
 * of each EVALSHA was the limiter's largest cost (a system call per request). Redis still runs each
 * attempt's script on its own and in order, so every verdict is exactly what `takeInRedis` would
 * have answered; an attempt waits at most until the end of the current turn (setImmediate).
 */
export class BatchedRedisWindows {
  private pending: PendingTake[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly window: WindowSpec,
  ) {}

  take(rules: readonly LimitRule[], now: number): Promise<Verdict> {
    return new Promise<Verdict>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ rules, now, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1 && batch[0]) {
      const only = batch[0];
      takeInRedis(this.redis, only.rules, this.window, only.now).then(only.resolve, only.reject);
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const { rules, now } of batch)
      pipeline.evalsha(TAKE_SHA, rules.length, ...rules.map((r) => r.key), ...argsOf(rules, this.window, now));
    pipeline.exec().then(
      (results) => {
        batch.forEach((attempt, i) => {
          const [error, reply] = results?.[i] ?? [new Error('no reply in the rate limit pipeline'), undefined];
          if (!error) {
            try {
              attempt.resolve(verdictOf(attempt.rules, reply));
            } catch (invalid) {
              attempt.reject(invalid);
            }
            return;
          }
          // A script flushed from Redis (a restart, SCRIPT FLUSH) runs again by its text, loading it for the next batch.
          if (error.message.includes('NOSCRIPT'))
            takeInRedis(this.redis, attempt.rules, this.window, attempt.now).then(attempt.resolve, attempt.reject);
          else attempt.reject(error);
        });
      },
      (error: unknown) => {
        for (const attempt of batch) attempt.reject(error);
      },
    );
  }
}

/** Takes one count back from each counter whose window is still open. Throws when Redis cannot answer. */
export async function giveBackInRedis(redis: Redis, counters: readonly string[]): Promise<void> {
  if (counters.length > 0) await run(redis, GIVE_BACK_LUA, GIVE_BACK_SHA, counters, []);
}

/**
 * Reserves `size` counts of a rule in its current window when its estimate plus them stays within
 * `cap`; answers the counts granted (`size` or 0) and the rule's estimate after. Throws when Redis cannot answer.
 */
export async function reserveInRedis(
  redis: Redis,
  key: string,
  window: WindowSpec,
  now: number,
  size: number,
  cap: number,
): Promise<{ granted: number; estimate: number }> {
  const reply = await run(redis, RESERVE_LUA, RESERVE_SHA, [key], [String(window.ms), String(now), String(size), String(Math.floor(cap))]);
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error('unexpected rate limit reservation reply');
  return { granted: Number(reply[0]), estimate: Number(reply[1]) };
}
