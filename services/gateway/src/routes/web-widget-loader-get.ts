import { problemSchema } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { resolveTenant } from '../http/tenant-resolution.js';
import { LOADER_FILE, SHORT_CACHE, readWidgetFile, requireWidgetBuilt, setPublicAssetHeaders } from '../http/widget-files.js';

/**
 * GET /widget.js — the widget's loader, the one script a page includes (`<script src="https://<tenant host>/widget.js" async>`).
 * Short public caching (a new build reaches pages within minutes), ETag revalidation; any page may load it.
 */
export const webWidgetLoaderGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/widget.js',
    operationId: 'getWidgetLoader',
    summary: "The web widget's loader script (tenant chosen by host).",
    auth: 'public',
    responses: {
      200: { description: 'The loader', mediaType: 'text/javascript' },
      404: { description: 'No tenant at this host', schema: problemSchema },
      503: { description: 'The widget is not built on this deployment', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/widget.js', resolveTenant(ctx.gateway), async (_req, res) => {
      const dist = ctx.gateway.web.widgetDistDir;
      await requireWidgetBuilt(dist);
      const body = await readWidgetFile(dist, [LOADER_FILE]);
      setPublicAssetHeaders(res, LOADER_FILE, SHORT_CACHE);
      res.send(body);
    });
  },
};
