import type { Request, RequestHandler } from 'express';
import { AppError } from '@mindbot/errors';
import type { LimitRule, RateDecision } from '@mindbot/rate-limit';
import type { TenantRecord } from '@mindbot/tenant-registry';
import { rulesFor } from '../domain/rate-limit-rules.js';
import type { GatewayDeps } from '../deps.js';
import { callerOf, type Caller } from './authenticate.js';
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
    const decision = await gateway.limiter.take(requestRules(gateway, tenant, caller, req));
    const headers = rateLimitHeaders(rpm, decision);
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

/** The `RateLimit-*` headers of a decision on a plan of `requestsPerMinute`, in the order they are sent. */
export function rateLimitHeaders(requestsPerMinute: number, decision: RateDecision): Record<string, string> {
  return {
    'RateLimit-Policy': `${requestsPerMinute};w=60`,
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(decision.remaining),
    'RateLimit-Reset': String(decision.resetSeconds),
  };
}

/** The limits one request counts against: the tenant's plan, the caller's share of it, the client IP's. */
export function requestRules(gateway: GatewayDeps, tenant: TenantRecord, caller: Caller | undefined, req: Request): LimitRule[] {
  return rulesFor(
    tenant.slug,
    tenant.limits.requestsPerMinute,
    { principal: caller ? `${caller.kind}:${caller.id}` : undefined, ip: req.ip ?? 'unknown' },
    gateway.limitShares,
  );
}
