export { createRedis, pingRedis, type Redis } from './create-redis.js';
export { tenantKey, tenantKeyPrefix } from './tenant-key.js';
export { redisAnswers } from './probe-redis.js';
export { countInWindows, uncountInWindows, type WindowCount } from './fixed-window.js';
