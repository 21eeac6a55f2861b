import { parseInput } from '@mindbot/errors';
import { reportQuerySchema, reportSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { buildReport, reportCsv } from '../domain/reports.js';
import { adminOnly, problem, signIn } from '../http/problem-answers.js';
import { reportRangeOf } from '../http/report-range.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/admin/reports — sessions, minutes, revenue and package popularity by day, as JSON or CSV. */
export const v1AdminReportsGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/admin/reports',
    operationId: 'getReport',
    summary: 'Sessions, minutes, revenue and package popularity by day, as JSON or CSV.',
    auth: 'admin',
    upstream: 'billing',
    query: reportQuerySchema,
    responses: {
      200: { description: 'The report (JSON, or CSV of one view with format=csv)', schema: reportSchema, alsoMediaTypes: ['text/csv'] },
      400: problem('Invalid range'),
      401: signIn,
      403: adminOnly,
    },
  },
  mount(router, ctx) {
    router.get('/v1/admin/reports', ...ctx.admin, async (req, res) => {
      const q = parseInput(reportQuerySchema, req.query, 'query');
      const report = await buildReport(ctx.deps.tenants.forTenant(tenantOf(res).slug), reportRangeOf(q));
      if (q.format === 'json') {
        res.json(report satisfies JsonAnswer<typeof reportSchema>);
        return;
      }
      res.type('text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="${q.view}-${q.from}-${q.to}.csv"`);
      res.send(reportCsv(report, q.view));
    });
  },
};
