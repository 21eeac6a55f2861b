import { problemSchema } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { resolveTenant } from '../http/tenant-resolution.js';
import { sendConsoleIndex } from '../http/console-files.js';

/** GET /console — the tenant's console (a single-page app), in the tenant's branding, which it reads from the API. */
export const webConsoleIndexGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/console',
    operationId: 'getConsole',
    summary: "The tenant's console for its admins (tenant chosen by host).",
    auth: 'public',
    responses: {
      200: { description: 'The page', mediaType: 'text/html' },
      404: { description: 'No tenant at this host', schema: problemSchema },
      503: { description: 'The console is not built on this deployment', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/console', resolveTenant(ctx.gateway), async (_req, res) => {
      await sendConsoleIndex(res, ctx.gateway.web.consoleDistDir, ctx.gateway.scheme === 'https');
    });
  },
};
