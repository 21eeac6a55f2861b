import express, { type Express } from 'express';
import { AppError } from '@mindbot/errors';
import { createHttpApp } from '@mindbot/http';
import { OPENAPI_DOCUMENT_JSON } from '@mindbot/sdk/openapi';
import { type ServiceDeps, httpOptionsOf } from '@mindbot/service-runtime';
import type { GatewayDeps } from './deps.js';
import { authenticate, requireUser } from './http/authenticate.js';
import { tenantCors } from './http/cors.js';
import { proxyTo } from './http/proxy.js';
import { rateLimit } from './http/rate-limit.js';
import type { AppRoute, RouteContext } from './http/route-context.js';
import { resolveTenant } from './http/tenant-resolution.js';
import { PROXIED_PREFIXES } from './http/proxied-prefixes.js';
import { v1AdminBrandingGet } from './routes/v1-admin-branding-get.js';
import { v1AdminBrandingUpdate } from './routes/v1-admin-branding-update.js';
import { v1ApiKeysCreate } from './routes/v1-api-keys-create.js';
import { v1ApiKeysList } from './routes/v1-api-keys-list.js';
import { v1ApiKeysRevoke } from './routes/v1-api-keys-revoke.js';
import { v1AuditEventsList } from './routes/v1-audit-events-list.js';
import { readyBranding, v1BrandingGet } from './routes/v1-branding-get.js';
import { v1VoiceSessionsCreate } from './routes/v1-voice-sessions-create.js';
import { v1VoiceSessionsEnd } from './routes/v1-voice-sessions-end.js';
import { v1WebhookDeliveriesList } from './routes/v1-webhook-deliveries-list.js';
import { v1WebhookDeliveriesReplay } from './routes/v1-webhook-deliveries-replay.js';
import { v1WebhookEndpointsCreate } from './routes/v1-webhook-endpoints-create.js';
import { v1WebhookEndpointsDelete } from './routes/v1-webhook-endpoints-delete.js';
import { v1WebhookEndpointsGet } from './routes/v1-webhook-endpoints-get.js';
import { v1WebhookEndpointsList } from './routes/v1-webhook-endpoints-list.js';
import { v1WebhookEndpointsRotateSecret } from './routes/v1-webhook-endpoints-rotate-secret.js';
import { v1WebhookEndpointsTest } from './routes/v1-webhook-endpoints-test.js';
import { v1WebhookEndpointsUpdate } from './routes/v1-webhook-endpoints-update.js';
import { v1WebhooksLivekitReceive } from './routes/v1-webhooks-livekit-receive.js';
import { webConsoleFileGet } from './routes/web-console-file-get.js';
import { webConsoleIndexGet } from './routes/web-console-index-get.js';
import { webHostedPageGet } from './routes/web-hosted-page-get.js';
import { webWidgetFileGet } from './routes/web-widget-file-get.js';
import { webWidgetLoaderGet } from './routes/web-widget-loader-get.js';

/** The gateway's own tenant routes (after tenant resolution, CORS, authentication and rate limits). */
export const TENANT_ROUTES: readonly AppRoute[] = [
  v1BrandingGet,
  v1AdminBrandingGet,
  v1AdminBrandingUpdate,
  v1ApiKeysCreate,
  v1ApiKeysList,
  v1ApiKeysRevoke,
  v1AuditEventsList,
  v1VoiceSessionsCreate,
  v1VoiceSessionsEnd,
  v1WebhookEndpointsCreate,
  v1WebhookEndpointsList,
  v1WebhookEndpointsGet,
  v1WebhookEndpointsUpdate,
  v1WebhookEndpointsDelete,
  v1WebhookEndpointsRotateSecret,
  v1WebhookEndpointsTest,
  v1WebhookDeliveriesList,
  v1WebhookDeliveriesReplay,
];
/** Routes without a tenant host: called by other systems, authenticated by signature. */
export const PLATFORM_ROUTES: readonly AppRoute[] = [v1WebhooksLivekitReceive];

/**
 * What browsers load from a tenant host: the hosted page, the web widget's files and the console.
 * Not API operations, so not in the public OpenAPI document (which the SDK is typed from).
 */
export const WEB_ROUTES: readonly AppRoute[] = [
  webHostedPageGet,
  webWidgetLoaderGet,
  webWidgetFileGet,
  webConsoleIndexGet,
  webConsoleFileGet,
];

/**
 * The gateway's own documented routes: its part of the public OpenAPI document, which
 * `npm run generate:openapi` builds from every service's PUBLIC_ROUTES into @mindbot/sdk/openapi.
 */
export const PUBLIC_ROUTES: readonly AppRoute[] = [...TENANT_ROUTES, ...PLATFORM_ROUTES];

function bytesOf(limit: string): number {
  const match = /^(\d+)(kb|mb)$/.exec(limit);
  return match ? Number(match[1]) * (match[2] === 'mb' ? 1024 * 1024 : 1024) : 100 * 1024;
}

/**
 * The gateway: the one front door. Without `gateway` (the shared service-contract suite) it serves
 * only health, readiness and metrics; main.ts always passes it.
 *
 * Order: GET /v1/branding when its answer is ready in memory (`readyBranding`, ahead of every layer)
 * → the hot public tenant reads (`hotTenantRoutes`, same chain as below) → platform routes
 * (signed webhooks, JWKS, OpenAPI) → for every other /v1 path: tenant from
 * the host → CORS → credential → rate limit → proxied prefixes (streamed, before any body parsing)
 * → the gateway's own routes (JSON bodies) → the hosted page and the widget's files (each resolving its tenant).
 */
export function createApp(deps: ServiceDeps, gateway?: GatewayDeps): Express {
  const ctx: RouteContext | undefined = gateway ? { deps, gateway } : undefined;
  const bodyLimitBytes = bytesOf(deps.bodyLimit);
  return createHttpApp({
    ...httpOptionsOf(deps),
    service: 'gateway',
    ...(ctx ? { readyAnswers: readyBranding(ctx) } : {}),
    rawRoutes: (app, jsonBody) => {
      const tenantChain = ctx
        ? [resolveTenant(ctx.gateway), tenantCors(ctx.gateway), authenticate(ctx.gateway), rateLimit(ctx.gateway)]
        : [];
      if (ctx) app.use(hotTenantRoutes(ctx, tenantChain, jsonBody));
      app.get('/openapi.json', (_req, res) => {
        res.type('application/json').set('Cache-Control', 'public, max-age=300').send(OPENAPI_DOCUMENT_JSON);
      });
      if (!ctx) return;
      const { upstreams } = ctx.gateway;
      const platform = express.Router();
      for (const route of PLATFORM_ROUTES) route.mount(platform, ctx);
      for (const prefix of PROXIED_PREFIXES.billing.open)
        platform.use(prefix, proxyTo({ service: 'billing', upstream: upstreams.billing, bodyLimitBytes }));
      for (const prefix of PROXIED_PREFIXES.sso.open)
        platform.use(prefix, proxyTo({ service: 'sso', upstream: upstreams.sso, bodyLimitBytes }));
      app.use(platform);

      const tenant = express.Router();
      tenant.use('/v1', ...tenantChain);
      for (const prefix of PROXIED_PREFIXES.billing.user)
        tenant.use(prefix, requireUser(), proxyTo({ service: 'billing', upstream: upstreams.billing, bodyLimitBytes }));
      for (const prefix of PROXIED_PREFIXES.sso.user) {
        tenant.use(prefix, refuseApiKeys, proxyTo({ service: 'sso', upstream: upstreams.sso, bodyLimitBytes }));
      }
      app.use(tenant);
    },
    routes: (app) => {
      if (!ctx) return;
      const tenantRoutes = express.Router();
      for (const route of TENANT_ROUTES) route.mount(tenantRoutes, ctx);
      app.use(tenantRoutes);
      const web = express.Router();
      for (const route of WEB_ROUTES) route.mount(web, ctx);
      app.use(web);
    },
  });
}

/**
 * The public tenant reads every widget load makes, ahead of the platform routes and the proxied
 * prefixes, so that one walks a handful of layers instead of some thirty. Each passes the same
 * middleware instances as on the long way (one rate limiter, one tenant cache), in the same order:
 * tenant → CORS → credential → rate limit → JSON body guards → the route. The filter takes exact
 * paths only; anything else (a trailing slash, another case) takes the long way, where the same
 * routes are mounted too. No route layer matches before the route's own, so a request refused on
 * the way is labelled `unmatched` in metrics and spans, as on the long way.
 */
const HOT_TENANT_ROUTES: readonly AppRoute[] = [v1BrandingGet];

function hotTenantRoutes(
  ctx: RouteContext,
  tenantChain: readonly express.RequestHandler[],
  jsonBody: readonly express.RequestHandler[],
): express.RequestHandler {
  const paths = new Set(HOT_TENANT_ROUTES.map((route) => route.spec.path));
  const hot = express.Router();
  hot.use(...tenantChain, ...jsonBody);
  for (const route of HOT_TENANT_ROUTES) route.mount(hot, ctx);
  return (req, res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && paths.has(req.path)) hot(req, res, next);
    else next();
  };
}

/** API keys are the gateway's own credential: never forwarded to SSO. */
const refuseApiKeys: express.RequestHandler = (req, _res, next) => {
  const authorization = req.headers.authorization ?? '';
  if (req.headers['x-api-key'] !== undefined || authorization.startsWith('Bearer mb_')) {
    next(new AppError('forbidden', 'API keys are not accepted here: sign in with a platform token.'));
    return;
  }
  next();
};
