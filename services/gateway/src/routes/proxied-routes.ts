import type { RouteSpec } from '@mindbot/http';
import { BILLING_ROUTE_SPECS } from './proxied-billing-routes.js';
import { SSO_ROUTE_SPECS } from './proxied-sso-routes.js';

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
    ],
    /** Called by Stripe at the platform host; billing checks the signature. */
    open: ['/v1/webhooks/stripe'],
  },
  sso: {
    user: ['/v1/auth', '/v1/sso', '/v1/users'],
    open: ['/.well-known/jwks.json'],
  },
} as const;

/** Every public route of billing and SSO, as served through the gateway and documented in /openapi.json. */
export const PROXIED_ROUTE_SPECS: readonly RouteSpec[] = [...BILLING_ROUTE_SPECS, ...SSO_ROUTE_SPECS];
