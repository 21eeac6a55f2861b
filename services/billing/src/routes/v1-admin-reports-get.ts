import { AppError, parseInput } from '@mindbot/errors';
import { reportQuerySchema, reportSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { buildReport, reportCsv } from '../domain/reports.js';
import { adminOnly, problem, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

const MAX_DAYS = 366;

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
      const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 + 1;
      if (days < 1 || days > MAX_DAYS) {
        throw new AppError('validation_failed', 'The report range is invalid.', {
          errors: [{ path: 'query.to', message: `must be on or after from, at most ${MAX_DAYS} days later` }],
        });
      }
      const report = await buildReport(ctx.deps.tenants.forTenant(tenantOf(res).slug), { from: q.from, to: q.to });
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
