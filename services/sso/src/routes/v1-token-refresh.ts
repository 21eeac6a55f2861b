import type { Router } from 'express';
import { AppError, parseInput } from '@mindbot/errors';
import { refreshRequestSchema, tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { requestIdOf } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** POST /v1/auth/token: rotates a refresh token; presenting an already rotated one ends its whole session. */
export function v1TokenRefresh(router: Router, sso: Sso): void {
  router.post('/v1/auth/token', async (req, res) => {
    const tenant = tenantOf(res);
    const input = parseInput(refreshRequestSchema, req.body);
    const outcome = await sso.tokens.refresh(tenant.slug, input.refresh_token, requestIdOf(req));
    if (!outcome.ok) {
      req.log.info({ reason: outcome.reason }, 'refresh refused');
      throw new AppError('unauthenticated', 'The refresh token is invalid, expired or revoked.');
    }
    res.set('Cache-Control', 'no-store').json(outcome.tokens satisfies JsonAnswer<typeof tokenResponseSchema>);
  });
}
