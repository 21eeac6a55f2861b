import { jwksSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';

/** GET /.well-known/jwks.json: the current signing key and the next (or previous) ones, public parts only. */
export const wellKnownJwksGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/.well-known/jwks.json',
    operationId: 'getJwks',
    summary: 'The public keys that sign platform access tokens (current and next, for rotation).',
    auth: 'public',
    upstream: 'sso',
    responses: { 200: { description: 'A JSON Web Key Set', schema: jwksSchema } },
  },
  mount(router, ctx) {
    router.get('/.well-known/jwks.json', (_req, res) => {
      res.set('Cache-Control', 'public, max-age=300').json(ctx.sso.keys.jwks satisfies JsonAnswer<typeof jwksSchema>);
    });
  },
};
