import type { RequestHandler } from 'express';
import { AppError } from '@mindbot/errors';
import { rulesFor } from '../domain/rate-limit-rules.js';
import type { GatewayDeps } from '../deps.js';
import { callerOf } from './authenticate.js';
import { tenantOf } from './tenant-resolution.js';

/**
 * Counts the request against the tenant's plan, the caller (user or API key) and the client IP, in
 * one Redis round trip; answers `RateLimit-*` headers always and a 429 problem with `Retry-After`
 * when a limit is reached. Runs after tenant resolution and authentication.
 */
export function rateLimit(gateway: GatewayDeps): RequestHandler {
  return async (req, res, next) => {
    const tenant = tenantOf(res);
    const caller = callerOf(res);
    const rpm = tenant.limits.requestsPerMinute;
    const decision = await gateway.limiter.take(
      rulesFor(
        tenant.slug,
        rpm,
        { principal: caller ? `${caller.kind}:${caller.id}` : undefined, ip: req.ip ?? 'unknown' },
        gateway.limitShares,
      ),
    );
    const headers = {
      'RateLimit-Policy': `${rpm};w=60`,
      'RateLimit-Limit': String(decision.limit),
      'RateLimit-Remaining': String(decision.remaining),
      'RateLimit-Reset': String(decision.resetSeconds),
    };
    if (!decision.allowed) {
      req.log.info({ limit: decision.rule, source: decision.source }, 'rate limited');
      throw new AppError('rate_limited', `Too many requests (${decision.rule} limit); retry after ${decision.resetSeconds} seconds.`, {
        headers: { ...headers, 'Retry-After': String(decision.resetSeconds) },
        extensions: { limit: decision.rule, retryAfter: decision.resetSeconds },
      });
    }
    res.set(headers);
    next();
  };
}
