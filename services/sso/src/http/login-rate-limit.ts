import type { RequestHandler } from 'express';
import type { ServiceDeps } from '@mindbot/service-runtime';
import { AppError } from '@mindbot/errors';
import { RateLimiter } from '@mindbot/rate-limit';
import { tenantKey } from '@mindbot/redis';
import type { SsoConfig } from '../config.js';
import type { SsoDeps } from '../deps.js';
import { tenantOf } from './tenant-context.js';

/**
 * The sign-in attempts limiter: fixed windows in which every attempt counts, refused ones too, so a
 * client that keeps trying also uses up its tenant's budget. Built once per process (deps.ts), so
 * its in-process fallback (ADR 0053) is shared by every sign-in route.
 */
export function createLoginLimiter(deps: ServiceDeps, config: SsoConfig): RateLimiter {
  return new RateLimiter(deps.redis, deps.logger, {
    name: 'sso-login',
    window: 'fixed',
    windowMs: config.SSO_LOGIN_RATE_WINDOW_SECONDS * 1000,
    countRefused: true,
  });
}

/**
 * Counts a sign-in attempt against the client IP and the whole tenant (under the tenant's keys) and
 * answers a 429 problem with Retry-After once either limit is used up.
 */
export function loginRateLimit(sso: SsoDeps): RequestHandler {
  const { SSO_LOGIN_RATE_PER_IP: perIp, SSO_LOGIN_RATE_PER_TENANT: perTenant } = sso.config;
  return async (req, res, next) => {
    const tenant = tenantOf(res).slug;
    const decision = await sso.loginLimiter.take([
      { name: 'ip', key: tenantKey(tenant, 'ratelimit', 'login', 'ip', req.ip ?? 'unknown'), limit: perIp },
      { name: 'tenant', key: tenantKey(tenant, 'ratelimit', 'login', 'tenant'), limit: perTenant },
    ]);
    if (!decision.allowed) {
      const retryAfter = decision.resetSeconds;
      req.log.info({ limit: decision.rule, source: decision.source }, 'sign-in rate limited');
      throw new AppError('rate_limited', `Too many sign-in attempts; retry after ${retryAfter} seconds.`, {
        headers: { 'Retry-After': String(retryAfter) },
        extensions: { retryAfter },
      });
    }
    next();
  };
}
