import { createHash } from 'node:crypto';
import { brandingSchema, problemSchema, type Branding } from '@mindbot/sdk/schemas';
import { choosePersona, personasOf } from '@mindbot/tenancy';
import type { TenantRecord } from '@mindbot/tenant-registry';
import { enabledSsoConnections, type SsoConnectionSummary } from '../data/sso-connections.js';
import type { AppRoute } from '../http/route-context.js';
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
    // The answer's bytes and ETag per tenant, made again only when the tenant's record or its SSO list
    // is another object: the registry hands out a new record after each change notification (a
    // manifest or console branding change), the SSO list is read again after its short TTL.
    const rendered = new Map<string, RenderedBranding>();
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
      let answer = rendered.get(tenant.slug);
      if (answer?.tenant !== tenant || answer.ssoConnections !== ssoConnections) {
        answer = render(tenant, ssoConnections);
        if (ssoConnections !== undefined) {
          if (rendered.size >= 20_000) rendered.clear();
          rendered.set(tenant.slug, answer);
        }
      }
      res.setHeader('ETag', answer.etag);
      // Short, so an admin's saved change reaches returning visitors within seconds (ADR 0055); a reload is a 304 by ETag.
      res.setHeader('Cache-Control', ssoConnections === undefined ? 'no-cache' : 'public, max-age=5');
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
