import { join } from 'node:path';
import { problemSchema } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { resolveTenant } from '../http/tenant-resolution.js';
import {
  APP_DIR,
  IMMUTABLE_CACHE,
  SHORT_CACHE,
  isHashedName,
  readWidgetFile,
  requireWidgetBuilt,
  setPublicAssetHeaders,
} from '../http/widget-files.js';

/**
 * GET /widget/* — the widget app and its chunks, which the loader imports on first open. Hashed
 * names are cached for a year as immutable; anything else for five minutes. Only files of the
 * build's widget/ folder are ever served: a path that leaves it, or names a dot file, is a 404.
 */
export const webWidgetFileGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/widget/*file',
    operationId: 'getWidgetFile',
    summary: "A file of the web widget's app (tenant chosen by host).",
    auth: 'public',
    responses: {
      200: { description: 'The file', mediaType: 'text/javascript', alsoMediaTypes: ['text/css', 'application/octet-stream'] },
      404: { description: 'No such file, or no tenant at this host', schema: problemSchema },
      503: { description: 'The widget is not built on this deployment', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/widget/*file', resolveTenant(ctx.gateway), async (req, res) => {
      const dist = ctx.gateway.web.widgetDistDir;
      await requireWidgetBuilt(dist);
      const raw: unknown = req.params.file;
      const segments = Array.isArray(raw) ? raw.map(String) : [String(raw)];
      const body = await readWidgetFile(join(dist, APP_DIR), segments);
      const name = segments.at(-1) ?? '';
      setPublicAssetHeaders(res, name, isHashedName(name) ? IMMUTABLE_CACHE : SHORT_CACHE);
      res.send(body);
    });
  },
};
