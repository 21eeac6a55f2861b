import { AppError, parseInput } from '@mindbot/errors';
import { refreshRequestSchema, tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, tokens } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** POST /v1/auth/token: rotates a refresh token; presenting an already rotated one ends its whole session. */
export const v1TokenRefresh: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/auth/token',
    operationId: 'refreshToken',
    summary: 'Rotate a refresh token for new tokens (a reused one ends its whole session).',
    auth: 'public',
    upstream: 'sso',
    body: refreshRequestSchema,
    responses: { 200: tokens, 401: problem('Invalid refresh token') },
  },
  mount(router, ctx) {
    router.post('/v1/auth/token', async (req, res) => {
      const tenant = tenantOf(res);
      const input = parseInput(refreshRequestSchema, req.body);
      const outcome = await ctx.sso.tokens.refresh(tenant.slug, input.refresh_token, requestIdOf(req));
      if (!outcome.ok) {
        req.log.info({ reason: outcome.failure }, 'refresh refused');
        throw new AppError('unauthenticated', 'The refresh token is invalid, expired or revoked.');
      }
      res.set('Cache-Control', 'no-store').json(outcome.value satisfies JsonAnswer<typeof tokenResponseSchema>);
    });
  },
};
