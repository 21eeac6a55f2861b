import { AppError } from '@mindbot/errors';
import { problemSchema } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { resolveTenant } from '../http/tenant-resolution.js';
import {
  CONSOLE_ASSETS_DIR,
  CONSOLE_INDEX,
  consoleFile,
  requireConsoleBuilt,
  sendConsoleFile,
  sendConsoleIndex,
} from '../http/console-files.js';

/**
 * GET /console/* — the console's built files (assets/ with hashed names, immutable), and for every
 * other path the console's page itself, so a deep link or a reload (/console/packages) opens the
 * app, whose router shows that page. A missing asset is a 404, never the page in its place.
 */
export const webConsoleFileGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/console/*path',
    operationId: 'getConsoleFile',
    summary: "A file of the tenant's console, or its page for any other path under /console (tenant chosen by host).",
    auth: 'public',
    responses: {
      200: { description: 'The file, or the page', mediaType: 'text/html', alsoMediaTypes: ['text/javascript', 'text/css'] },
      404: { description: 'No such asset, or no tenant at this host', schema: problemSchema },
      503: { description: 'The console is not built on this deployment', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/console/*path', resolveTenant(ctx.gateway), async (req, res) => {
      const dist = ctx.gateway.web.consoleDistDir;
      await requireConsoleBuilt(dist);
      const raw: unknown = req.params.path;
      const segments = (Array.isArray(raw) ? raw.map(String) : [String(raw)]).filter((s) => s !== '');
      const https = ctx.gateway.scheme === 'https';
      // The page itself, by its file name too: always with its CSP and revalidation.
      if (segments.length === 1 && segments[0] === CONSOLE_INDEX) {
        await sendConsoleIndex(res, dist, https);
        return;
      }
      const file = await consoleFile(dist, segments);
      if (file) {
        sendConsoleFile(res, segments.at(-1) ?? '', file);
        return;
      }
      if (segments[0] === CONSOLE_ASSETS_DIR) throw new AppError('not_found', 'No such console file.');
      await sendConsoleIndex(res, dist, https);
    });
  },
};
