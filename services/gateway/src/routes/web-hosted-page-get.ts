import { problemSchema } from '@mindbot/sdk/schemas';
import { hostedPageCsp, hostedPageHtml } from '../domain/hosted-page.js';
import type { AppRoute } from '../http/route-context.js';
import { resolveTenant, tenantOf } from '../http/tenant-resolution.js';
import { requireWidgetBuilt } from '../http/widget-files.js';

/**
 * GET / — the tenant's hosted page: its name, logo (as favicon too), colours and language, with the
 * widget opened in place. Nothing of the platform's brand. Its own Content-Security-Policy in place
 * of the API's: scripts from this host only, calls to this host and to LiveKit.
 */
export const webHostedPageGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/',
    operationId: 'getHostedPage',
    summary: "The tenant's hosted page with the web widget opened in place (tenant chosen by host).",
    auth: 'public',
    responses: {
      200: { description: 'The page', mediaType: 'text/html' },
      404: { description: 'No tenant at this host', schema: problemSchema },
      503: { description: 'The widget is not built on this deployment', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/', resolveTenant(ctx.gateway), async (_req, res) => {
      await requireWidgetBuilt(ctx.gateway.web.widgetDistDir);
      const tenant = tenantOf(res);
      res.set({
        'Content-Type': 'text/html; charset=utf-8',
        // Branding changes reach the next visit: revalidated every time (ETag), never stored stale.
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': hostedPageCsp({
          logoUrl: tenant.branding.logoUrl,
          livekitUrl: ctx.gateway.web.livekitUrl,
          https: ctx.gateway.scheme === 'https',
        }),
      });
      res.send(
        hostedPageHtml({
          displayName: tenant.displayName,
          language: tenant.agent.language,
          logoUrl: tenant.branding.logoUrl,
          primaryColor: tenant.branding.primaryColor,
          accentColor: tenant.branding.accentColor,
        }),
      );
    });
  },
};
