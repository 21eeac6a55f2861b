import type { Router } from 'express';
import { parseInput } from '@mindbot/errors';
import { ssoCodeExchangeRequestSchema, tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import { loginRateLimit } from '../http/login-rate-limit.js';
import { refuseLogin } from '../http/refuse-login.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/**
 * POST /v1/sso/exchange: redeems the one-time code of a returnTo redirect, on the tenant that issued
 * it, within its lifetime, with the PKCE verifier when the sign-in sent a challenge; the session
 * starts here and its tokens are the answer. Every refusal is the same 401, its reason audited.
 */
export function v1SsoCodeExchange(router: Router, sso: Sso): void {
  router.post('/v1/sso/exchange', loginRateLimit(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const input = parseInput(ssoCodeExchangeRequestSchema, req.body);
    const redeemed = await sso.codes.redeem(tenant.slug, input.code, input.code_verifier);
    if (!redeemed.ok) return refuseLogin(sso.auditor, req, tenant.slug, { reason: redeemed.reason });
    const { grant } = redeemed;
    const tokens = await sso.deps.tenants.forTenant(tenant.slug).transaction(async (tx) => {
      // The user may have been disabled in the seconds since the IdP vouched for them.
      const user = await tx.user.findUnique({ where: { id: grant.userId }, select: { status: true } });
      if (user?.status !== 'active') return undefined;
      return sso.tokens.startSession(tx, tenant.slug, {
        userId: grant.userId,
        method: grant.method,
        connectionId: grant.connectionId,
        samlNameId: grant.samlNameId,
        samlSessionIndex: grant.samlSessionIndex,
      });
    });
    if (!tokens) return refuseLogin(sso.auditor, req, tenant.slug, { reason: 'user_disabled', connectionId: grant.connectionId });
    await sso.auditor.record(tenant.slug, {
      action: 'sso.code_redeemed',
      actorId: grant.userId,
      target: grant.connectionId,
      data: { method: grant.method, session: tokens.session_id, pkce: grant.codeChallenge !== undefined },
      requestId: requestIdOf(req),
    });
    res.set('Cache-Control', 'no-store').json(tokens satisfies JsonAnswer<typeof tokenResponseSchema>);
  });
}
