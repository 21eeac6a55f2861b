import { createHash } from 'node:crypto';
import { brandingSchema, problemSchema, type Branding } from '@mindbot/sdk/schemas';
import { choosePersona, personasOf } from '@mindbot/tenancy';
import { enabledSsoConnections, type SsoConnectionSummary } from '../data/sso-connections.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/**
 * GET /v1/branding — public, by host: what the web widget shows, with the tenant's enabled SSO
 * connections for its sign-in buttons. ETag + short public caching; 304 when unchanged.
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
      let ssoConnections: SsoConnectionSummary[] | undefined;
      try {
        ssoConnections = await enabledSsoConnections(ctx.deps.tenants, tenant.slug);
      } catch (error) {
        // The rest comes from the registry in memory: a widget that can still sign in with a password
        // beats none. Left out (and not cached) until the tenant's schema answers again.
        req.log.warn({ err: error }, 'branding without SSO connections: the tenant schema did not answer');
      }
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
        ...(ssoConnections === undefined ? {} : { ssoConnections }),
      };
      const text = JSON.stringify(body);
      res.set({
        ETag: `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`,
        // Short, so an admin's saved change reaches returning visitors within seconds (ADR 0055); a reload is a 304 by ETag.
        'Cache-Control': ssoConnections === undefined ? 'no-cache' : 'public, max-age=5',
      });
      if (req.fresh) {
        res.status(304).end();
        return;
      }
      res.type('application/json').send(text);
    });
  },
};
