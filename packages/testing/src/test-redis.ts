/** Set by test/global-setup.ts: the machine's Redis, or one it started. */
export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}
