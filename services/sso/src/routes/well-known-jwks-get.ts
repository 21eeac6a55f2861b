import type { Express } from 'express';
import { jwksSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { Sso } from '../sso.js';

/** GET /.well-known/jwks.json: the current signing key and the next (or previous) ones, public parts only. */
export function wellKnownJwksGet(app: Express, sso: Sso): void {
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(sso.keys.jwks satisfies JsonAnswer<typeof jwksSchema>);
  });
}
