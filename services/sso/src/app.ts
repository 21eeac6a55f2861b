import type { Express } from 'express';
import { createHttpApp } from '@mindbot/http';
import type { ServiceDeps } from '@mindbot/service-runtime';

/** The sso's express app: SAML and OIDC per tenant, password login, platform tokens and JWKS. Its business routes arrive with their own issues. */
export function createApp(deps: ServiceDeps): Express {
  return createHttpApp({
    service: 'sso',
    logger: deps.logger,
    metrics: deps.metrics,
    lifecycle: deps.lifecycle,
    readiness: deps.readiness,
    bodyLimit: deps.bodyLimit,
    trustProxy: deps.trustProxy,
    routes: () => undefined,
  });
}
