export { RateLimiter, type RateLimiterOptions, type RedisDownPolicy } from './rate-limiter.js';
export type { LimitRule, RateDecision } from './windows.js';
