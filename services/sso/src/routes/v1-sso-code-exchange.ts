import { parseInput } from '@mindbot/errors';
import { ssoCodeExchangeRequestSchema, tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import { refuseLogin } from '../http/refuse-login.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, tokens } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/sso/exchange: redeems the one-time code of a returnTo redirect, on the tenant that issued
 * it, within its lifetime, with the PKCE verifier when the sign-in sent a challenge; the session
 * starts here and its tokens are the answer. Every refusal is the same 401, its reason audited.
 */
export const v1SsoCodeExchange: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/sso/exchange',
    operationId: 'exchangeSsoCode',
    summary:
      'Redeem the one-time code of a returnTo redirect for platform tokens: once, within 60 s, on the tenant that issued it, with the PKCE code_verifier when the sign-in sent a code_challenge.',
    auth: 'public',
    upstream: 'sso',
    body: ssoCodeExchangeRequestSchema,
    responses: {
      200: tokens,
      400: problem('Malformed request'),
      401: problem('Unknown, used, expired or foreign code, or a wrong verifier (the reason is audited, not told)'),
      429: problem('Too many sign-ins'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/sso/exchange', ctx.loginRateLimit, async (req, res) => {
      const tenant = tenantOf(res);
      const input = parseInput(ssoCodeExchangeRequestSchema, req.body);
      const outcome = await ctx.sso.codeExchange.exchange(tenant.slug, input.code, input.code_verifier, requestIdOf(req));
      if (!outcome.ok)
        return refuseLogin(ctx.sso.auditor, req, tenant.slug, {
          reason: outcome.failure,
          connectionId: 'connectionId' in outcome ? outcome.connectionId : undefined,
        });
      res.set('Cache-Control', 'no-store').json(outcome.value satisfies JsonAnswer<typeof tokenResponseSchema>);
    });
  },
};
