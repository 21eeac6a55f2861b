/**
 * Path prefixes served by billing and SSO through the gateway. Tenant prefixes pass tenant
 * resolution, CORS, authentication and rate limits first; billing's need a signed-in user (so a
 * forged token never reaches billing). `/internal/…` is never served from outside.
 */
export const PROXIED_PREFIXES = {
  billing: {
    user: [
      '/v1/balance',
      '/v1/history',
      '/v1/packages',
      '/v1/purchases',
      '/v1/sessions',
      '/v1/time-cards',
      '/v1/admin/packages',
      '/v1/admin/billing',
      '/v1/admin/reports',
      '/v1/admin/sessions',
      '/v1/reseller',
    ],
    /** Called by Stripe at the platform host; billing checks the signature. */
    open: ['/v1/webhooks/stripe'],
  },
  sso: {
    user: ['/v1/auth', '/v1/sso', '/v1/users', '/v1/invitations', '/v1/me'],
    open: ['/.well-known/jwks.json'],
  },
} as const;
