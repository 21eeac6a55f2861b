import express, { type Express } from 'express';
import { requireAuth, requireRole, requireServiceToken, TENANT_ADMIN_ROLES } from '@mindbot/auth';
import { createHttpApp } from '@mindbot/http';
import { type ServiceDeps, httpOptionsOf } from '@mindbot/service-runtime';
import type { BillingDeps } from './deps.js';
import { FailureLimiter } from './http/failure-limiter.js';
import { MeteringGate } from './http/metering-gate.js';
import { registerBillingMetrics } from './http/billing-metrics.js';
import { registerParkedEventMetrics } from './http/parked-event-metrics.js';
import type { AppRoute, RouteContext } from './http/route-context.js';
import { tenantFromPath, tenantFromToken } from './http/tenant-context.js';
import { requireSessionCaller } from './http/job-auth.js';
import { internalV1SessionsEnd } from './routes/internal-v1-sessions-end.js';
import { internalV1SessionsEventsAppend } from './routes/internal-v1-sessions-events-append.js';
import { internalV1SessionsGet } from './routes/internal-v1-sessions-get.js';
import { internalV1SessionsHeartbeat } from './routes/internal-v1-sessions-heartbeat.js';
import { internalV1SessionsPackagesList } from './routes/internal-v1-sessions-packages-list.js';
import { internalV1SessionsPurchasesCreate } from './routes/internal-v1-sessions-purchases-create.js';
import { internalV1SessionsStart } from './routes/internal-v1-sessions-start.js';
import { v1AdminSessionsTranscriptGet } from './routes/v1-admin-sessions-transcript-get.js';
import { v1AdminBillingGet } from './routes/v1-admin-billing-get.js';
import { v1AdminOnboardingLinkCreate } from './routes/v1-admin-onboarding-link-create.js';
import { v1AdminPackagesCreate } from './routes/v1-admin-packages-create.js';
import { v1AdminPackagesDelete } from './routes/v1-admin-packages-delete.js';
import { v1AdminPackagesList } from './routes/v1-admin-packages-list.js';
import { v1AdminPackagesUpdate } from './routes/v1-admin-packages-update.js';
import { v1AdminReportsGet } from './routes/v1-admin-reports-get.js';
import { v1AdminReportsUsersGet } from './routes/v1-admin-reports-users-get.js';
import { v1BalanceGet } from './routes/v1-balance-get.js';
import { v1HistoryList } from './routes/v1-history-list.js';
import { v1PackagesList } from './routes/v1-packages-list.js';
import { v1PurchasesCreate } from './routes/v1-purchases-create.js';
import { v1PurchasesList } from './routes/v1-purchases-list.js';
import { v1ResellerTenantsList } from './routes/v1-reseller-tenants-list.js';
import { v1SessionsList } from './routes/v1-sessions-list.js';
import { v1SessionsTranscriptGet } from './routes/v1-sessions-transcript-get.js';
import { v1TimeCardsActivate } from './routes/v1-time-cards-activate.js';
import { v1TimeCardsList } from './routes/v1-time-cards-list.js';
import { v1WebhooksStripeReceive } from './routes/v1-webhooks-stripe-receive.js';

/** Roles that administer a tenant's billing (packages, onboarding, reports, a reseller's child tenants). */
export const ADMIN_ROLES = TENANT_ADMIN_ROLES;

/**
 * Billing's routes in the public API (served through the gateway), in the order of the public
 * OpenAPI document, which is built from their specs.
 */
export const PUBLIC_ROUTES: readonly AppRoute[] = [
  v1BalanceGet,
  v1HistoryList,
  v1SessionsList,
  v1SessionsTranscriptGet,
  v1AdminSessionsTranscriptGet,
  v1PackagesList,
  v1TimeCardsList,
  v1TimeCardsActivate,
  v1PurchasesList,
  v1PurchasesCreate,
  v1AdminPackagesList,
  v1AdminPackagesCreate,
  v1AdminPackagesUpdate,
  v1AdminPackagesDelete,
  v1AdminBillingGet,
  v1AdminOnboardingLinkCreate,
  v1AdminReportsGet,
  v1AdminReportsUsersGet,
  v1ResellerTenantsList,
  v1WebhooksStripeReceive,
];

/** The platform's own calls (the gateway's, and the voice agent's with its job token); never in the public document. */
export const INTERNAL_ROUTES: readonly AppRoute[] = [
  internalV1SessionsStart,
  internalV1SessionsGet,
  internalV1SessionsHeartbeat,
  internalV1SessionsEnd,
  internalV1SessionsPackagesList,
  internalV1SessionsPurchasesCreate,
  internalV1SessionsEventsAppend,
];

/** Mounted before JSON parsing: the Stripe signature covers the exact raw bytes. */
const RAW_BODY_ROUTES: readonly AppRoute[] = [v1WebhooksStripeReceive];
const JSON_BODY_ROUTES = [...PUBLIC_ROUTES, ...INTERNAL_ROUTES].filter((route) => !RAW_BODY_ROUTES.includes(route));

/**
 * The billing's express app. Without `billing` (the shared service-contract suite) it serves only
 * health, readiness and metrics; main.ts always passes it.
 */
export function createApp(deps: ServiceDeps, billing?: BillingDeps): Express {
  const ctx: RouteContext | undefined = billing ? routeContext(deps, billing) : undefined;
  return createHttpApp({
    ...httpOptionsOf(deps),
    service: 'billing',
    rawRoutes: (app) => {
      if (ctx) app.use(routerOf(RAW_BODY_ROUTES, ctx));
    },
    routes: (app) => {
      if (ctx) app.use(routerOf(JSON_BODY_ROUTES, ctx));
    },
  });
}

function routerOf(routes: readonly AppRoute[], ctx: RouteContext): express.Router {
  const router = express.Router();
  for (const route of routes) route.mount(router, ctx);
  return router;
}

function routeContext(deps: ServiceDeps, billing: BillingDeps): RouteContext {
  if (deps.trustProxy === false)
    deps.logger.warn(
      'activation failures are not limited per client IP: TRUST_PROXY does not cover the gateway, so every request seems to come from it',
    );
  const user = [requireAuth(billing.verifier), tenantFromToken(deps.registry)];
  return {
    deps,
    billing,
    user,
    admin: [...user, requireRole(...ADMIN_ROLES)],
    service: [requireServiceToken(billing.serviceTokens), tenantFromPath(deps.registry)],
    session: requireSessionCaller({
      serviceTokens: billing.serviceTokens,
      registry: deps.registry,
      tenants: deps.tenants,
      clock: billing.clock,
      allowService: true,
    }),
    job: requireSessionCaller({
      serviceTokens: billing.serviceTokens,
      registry: deps.registry,
      tenants: deps.tenants,
      clock: billing.clock,
      allowService: false,
    }),
    activationLimiter: new FailureLimiter(deps.redis, deps.logger, {
      name: 'activation-failures',
      perUser: billing.activationMaxFailures,
      // Billing is reached through the gateway: unless TRUST_PROXY lets it read the gateway's
      // X-Forwarded-For, req.ip is the gateway itself, and counting that would let a few wrong
      // codes lock out every user behind it.
      perIp: deps.trustProxy === false ? null : billing.activationMaxFailuresPerIp,
      perTenant: billing.activationMaxFailures * 40,
      windowSeconds: billing.activationFailureWindowSeconds,
    }),
    // Leave a few pooled connections for everything else.
    meteringGate: new MeteringGate(Math.max(1, deps.pool.options.max - 2)),
    onParked: registerParkedEventMetrics(deps.metrics.registry, deps.platform, deps.logger),
    metrics: registerBillingMetrics(deps.metrics.registry),
  };
}
