import { apiKeyCreatedSchema, apiKeyCreateRequestSchema, problemSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { AppError, parseInput } from '@mindbot/errors';
import { ADMIN_ROLES, callerOf, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** POST /v1/api-keys — a tenant admin creates a key; the key is in this answer and nowhere else, ever. */
export const v1ApiKeysCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/api-keys',
    operationId: 'createApiKey',
    summary: 'Create an API key (shown once).',
    auth: 'admin',
    body: apiKeyCreateRequestSchema,
    responses: {
      201: { description: 'The key and its record', schema: apiKeyCreatedSchema },
      400: { description: 'Invalid input', schema: problemSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.post('/v1/api-keys', requireUser(...ADMIN_ROLES), async (req, res) => {
      const input = parseInput(apiKeyCreateRequestSchema, req.body);
      const expiresAt = input.expiresAt === undefined ? undefined : new Date(input.expiresAt);
      if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw new AppError('validation_failed', 'The request body is invalid.', {
          errors: [{ path: 'body.expiresAt', message: 'must be in the future' }],
        });
      }
      const caller = callerOf(res);
      if (caller?.kind !== 'user') throw new AppError('unauthenticated', 'Sign in: a Bearer access token is required.');
      // The key records who made it: the user and the session (a key made in a session later found stolen can be traced).
      const created = await ctx.gateway.apiKeys.create(
        tenantOf(res).slug,
        { ...input, expiresAt },
        { userId: caller.principal.userId, sessionId: caller.principal.sessionId },
      );
      res
        .status(201)
        .set('Cache-Control', 'no-store')
        .json(created satisfies JsonAnswer<typeof apiKeyCreatedSchema>);
    });
  },
};
