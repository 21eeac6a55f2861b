import { createHash } from 'node:crypto';
import { validHostOf, type ReadyAnswerFinder } from '@mindbot/http';
import { brandingSchema, problemSchema, type Branding } from '@mindbot/sdk/schemas';
import { choosePersona, personasOf } from '@mindbot/tenancy';
import { servingOf, type TenantRecord } from '@mindbot/tenant-registry';
import { enabledSsoConnections, knownSsoConnections, type SsoConnectionSummary } from '../data/sso-connections.js';
import type { GatewayDeps } from '../deps.js';
import { allowedOriginOf, corsAnswerHeaders } from '../http/cors.js';
import { rateLimitHeaders, requestRules } from '../http/rate-limit.js';
import type { AppRoute, RouteContext } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/**
 * GET /v1/branding — public, by host: what the web widget shows, with the tenant's enabled SSO
 * connections for its sign-in buttons. ETag + short public caching; 304 when unchanged. Every widget
 * load asks, so the answer is kept rendered per tenant (see `rendered`).
 */
export const v1BrandingGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/branding',
    operationId: 'getBranding',
    summary: "The tenant's name, logo, colours, agent name, greeting and personas (tenant chosen by host).",
    auth: 'public',
    responses: {
      200: { description: 'The branding', schema: brandingSchema },
      304: { description: 'Unchanged since the ETag in If-None-Match' },
      404: { description: 'No tenant at this host', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/v1/branding', async (req, res) => {
      const tenant = tenantOf(res);
      let ssoConnections: readonly SsoConnectionSummary[] | undefined;
      try {
        ssoConnections = await enabledSsoConnections(ctx.deps.tenants, tenant.slug);
      } catch (error) {
        // The rest comes from the registry in memory: a widget that can still sign in with a password
        // beats none. Left out (and not cached) until the tenant's schema answers again.
        req.log.warn({ err: error }, 'branding without SSO connections: the tenant schema did not answer');
      }
      const answer = renderedBranding(ctx.gateway, tenant, ssoConnections);
      res.setHeader('ETag', answer.etag);
      res.setHeader('Cache-Control', cacheControlOf(ssoConnections));
      if (req.fresh) {
        res.status(304).end();
        return;
      }
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', answer.length);
      // A string: Node writes it with the headers in one piece (a Buffer would go as a second one, in a writev).
      res.end(answer.body);
    });
  },
};

/**
 * GET /v1/branding ready in memory (createHttpApp's `readyAnswers`), for the request every widget load
 * makes: no credential, no conditional headers, no query or body, a tenant and SSO list in memory, and
 * a rate-limit allowance from the counts reserved ahead. Same status, headers in the same order and
 * body as the route above behind the tenant chain; anything else takes that way (ADR 0065).
 */
export function readyBranding(ctx: RouteContext): ReadyAnswerFinder {
  const { gateway, deps } = ctx;
  return (req) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || req.url !== '/v1/branding') return undefined;
    const headers = req.headers;
    if (
      headers.authorization !== undefined ||
      headers['x-api-key'] !== undefined ||
      headers['if-none-match'] !== undefined ||
      headers['if-modified-since'] !== undefined ||
      headers['transfer-encoding'] !== undefined ||
      (headers['content-length'] ?? '0') !== '0'
    )
      return undefined;
    const host = validHostOf(req);
    const tenant = host === undefined ? undefined : gateway.registry.knownByHost(host, gateway.baseDomain);
    if (!tenant || !servingOf(tenant, { region: gateway.region }).served) return undefined;
    const ssoConnections = knownSsoConnections(deps.tenants, tenant.slug);
    if (ssoConnections === undefined) return undefined;
    const decision = gateway.limiter.takeLocally(requestRules(gateway, tenant, undefined, req));
    if (!decision) return undefined;
    const origin = allowedOriginOf(gateway, tenant, req);
    const answer = renderedBranding(gateway, tenant, ssoConnections);
    const list = ['Vary', 'Origin'];
    if (origin !== undefined) appendHeaders(list, corsAnswerHeaders(origin));
    appendHeaders(list, rateLimitHeaders(tenant.limits.requestsPerMinute, decision));
    list.push(
      'ETag',
      answer.etag,
      'Cache-Control',
      cacheControlOf(ssoConnections),
      'Content-Type',
      'application/json; charset=utf-8',
      'Content-Length',
      String(answer.length),
    );
    return { route: '/v1/branding', status: 200, headers: list, body: answer.body, logBindings: { tenantId: tenant.slug } };
  };
}

function appendHeaders(list: string[], headers: Record<string, string>): void {
  for (const name in headers) list.push(name, headers[name] ?? '');
}

/** Short, so an admin's saved change reaches returning visitors within seconds (ADR 0055); a reload is a 304 by ETag. */
function cacheControlOf(ssoConnections: readonly SsoConnectionSummary[] | undefined): string {
  return ssoConnections === undefined ? 'no-cache' : 'public, max-age=5';
}

/**
 * The answer's bytes and ETag per tenant, made again only when the tenant's record or its SSO list is
 * another object: the registry hands out a new record after each change notification (a manifest or
 * console branding change), the SSO list is read again after its short TTL. Without an SSO list (the
 * tenant schema did not answer) it is made each time and not kept.
 */
function renderedBranding(
  gateway: GatewayDeps,
  tenant: TenantRecord,
  ssoConnections: readonly SsoConnectionSummary[] | undefined,
): RenderedBranding {
  let rendered = renderedByGateway.get(gateway);
  if (!rendered) renderedByGateway.set(gateway, (rendered = new Map<string, RenderedBranding>()));
  let answer = rendered.get(tenant.slug);
  if (answer?.tenant !== tenant || answer.ssoConnections !== ssoConnections) {
    answer = render(tenant, ssoConnections);
    if (ssoConnections !== undefined) {
      if (rendered.size >= 20_000) rendered.clear();
      rendered.set(tenant.slug, answer);
    }
  }
  return answer;
}

const renderedByGateway = new WeakMap<GatewayDeps, Map<string, RenderedBranding>>();

interface RenderedBranding {
  tenant: TenantRecord;
  ssoConnections: readonly SsoConnectionSummary[] | undefined;
  body: string;
  /** The body's length in bytes. */
  length: number;
  etag: string;
}

function render(tenant: TenantRecord, ssoConnections: readonly SsoConnectionSummary[] | undefined): RenderedBranding {
  const body: Branding = {
    tenant: tenant.slug,
    displayName: tenant.displayName,
    logoUrl: tenant.branding.logoUrl,
    primaryColor: tenant.branding.primaryColor,
    accentColor: tenant.branding.accentColor,
    agentName: tenant.branding.agentName,
    greeting: tenant.branding.greeting,
    language: tenant.agent.language,
    // What a picker shows; a persona's instructions are the tenant's business, not the public's.
    personas: personasOf(tenant).map(({ id, name, voice, language, greeting }) => ({ id, name, voice, language, greeting })),
    defaultPersona: choosePersona(tenant, undefined)?.id ?? 'default',
    ...(ssoConnections === undefined ? {} : { ssoConnections: [...ssoConnections] }),
  };
  const text = JSON.stringify(body);
  return {
    tenant,
    ssoConnections,
    body: text,
    length: Buffer.byteLength(text),
    etag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`,
  };
}
