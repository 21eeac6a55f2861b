export { RateLimiter, type RateLimiterOptions, type RedisDownPolicy } from './rate-limiter.js';
export type { LimitRule, RateDecision } from './windows.js';
export type { LocalHeadroomOptions } from './local-headroom.js';
