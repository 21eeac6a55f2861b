import type { RequestHandler } from 'express';
import { AppError } from '@mindbot/errors';
import { tenantKey } from '@mindbot/redis';
import type { Sso } from '../sso.js';
import { tenantOf } from './tenant-context.js';

/**
 * Counts a sign-in attempt against the client IP and the whole tenant (fixed windows in Redis,
 * under the tenant's keys) and answers a 429 problem with Retry-After once either limit is used up.
 * When Redis cannot answer, the attempt is allowed and the outage logged: sign-in stays up.
 */
export function loginRateLimit(sso: Sso): RequestHandler {
  const { SSO_LOGIN_RATE_PER_IP: perIp, SSO_LOGIN_RATE_PER_TENANT: perTenant, SSO_LOGIN_RATE_WINDOW_SECONDS: window } = sso.config;
  return async (req, res, next) => {
    const redis = sso.deps.redis;
    if (!redis) {
      next();
      return;
    }
    const tenant = tenantOf(res).slug;
    const ipKey = tenantKey(tenant, 'ratelimit', 'login', 'ip', req.ip ?? 'unknown');
    const allKey = tenantKey(tenant, 'ratelimit', 'login', 'tenant');
    let counts: [number, number, number, number];
    try {
      const replies = await redis.multi().set(ipKey, 0, 'EX', window, 'NX').incr(ipKey).ttl(ipKey).set(allKey, 0, 'EX', window, 'NX').incr(allKey).ttl(allKey).exec();
      const value = (i: number) => {
        const [error, reply] = replies?.[i] ?? [new Error('no reply'), null];
        if (error) throw error;
        return Number(reply);
      };
      counts = [value(1), value(2), value(4), value(5)];
    } catch (error) {
      req.log.warn({ err: error }, 'login rate limit unavailable; attempt allowed');
      next();
      return;
    }
    const [ipCount, ipTtl, tenantCount, tenantTtl] = counts;
    const over = ipCount > perIp ? { limit: 'ip', ttl: ipTtl } : tenantCount > perTenant ? { limit: 'tenant', ttl: tenantTtl } : undefined;
    if (over) {
      const retryAfter = over.ttl > 0 ? over.ttl : window;
      req.log.info({ limit: over.limit }, 'sign-in rate limited');
      throw new AppError('rate_limited', `Too many sign-in attempts; retry after ${retryAfter} seconds.`, { headers: { 'Retry-After': String(retryAfter) }, extensions: { retryAfter } });
    }
    next();
  };
}
