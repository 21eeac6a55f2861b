import type { RequestHandler } from 'express';
import { AppError } from '@mindbot/errors';
import { countInWindows, tenantKey, type WindowCount } from '@mindbot/redis';
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
    let counts: WindowCount[];
    try {
      counts = await countInWindows(redis, [ipKey, allKey], window);
    } catch (error) {
      req.log.warn({ err: error }, 'login rate limit unavailable; attempt allowed');
      next();
      return;
    }
    const [ip, all] = counts;
    const over =
      ip && ip.count > perIp ? { limit: 'ip', window: ip } : all && all.count > perTenant ? { limit: 'tenant', window: all } : undefined;
    if (over) {
      const retryAfter = over.window.resetSeconds;
      req.log.info({ limit: over.limit }, 'sign-in rate limited');
      throw new AppError('rate_limited', `Too many sign-in attempts; retry after ${retryAfter} seconds.`, {
        headers: { 'Retry-After': String(retryAfter) },
        extensions: { retryAfter },
      });
    }
    next();
  };
}
