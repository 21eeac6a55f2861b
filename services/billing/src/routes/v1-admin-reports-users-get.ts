import { parseInput } from '@mindbot/errors';
import { userReportQuerySchema, userReportSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { buildUserReport, userReportCsv } from '../domain/user-reports.js';
import { adminOnly, problem, signIn } from '../http/problem-answers.js';
import { reportRangeOf } from '../http/report-range.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/admin/reports/users — per user: sessions, seconds charged, purchases and revenue over a range, as JSON or CSV. */
export const v1AdminReportsUsersGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/admin/reports/users',
    operationId: 'getUserReport',
    summary: 'Per user, most seconds first: sessions, seconds charged, purchases paid and revenue over a range, as JSON or CSV.',
    auth: 'admin',
    upstream: 'billing',
    query: userReportQuerySchema,
    responses: {
      200: {
        description: 'One page of the report (JSON, or CSV with format=csv and the next page’s cursor in X-Next-Cursor)',
        schema: userReportSchema,
        alsoMediaTypes: ['text/csv'],
      },
      400: problem('Invalid range, limit or cursor'),
      401: signIn,
      403: adminOnly,
    },
  },
  mount(router, ctx) {
    router.get('/v1/admin/reports/users', ...ctx.admin, async (req, res) => {
      const q = parseInput(userReportQuerySchema, req.query, 'query');
      const tenant = tenantOf(res);
      const report = await buildUserReport(ctx.deps.tenants.forTenant(tenant.slug), reportRangeOf(q), {
        currency: tenant.currency,
        limit: q.limit,
        offset: Number(q.cursor ?? 0),
      });
      if (q.format === 'json') {
        res.json(report satisfies JsonAnswer<typeof userReportSchema>);
        return;
      }
      res.type('text/csv; charset=utf-8');
      res.set('Content-Disposition', `attachment; filename="users-${q.from}-${q.to}.csv"`);
      if (report.nextCursor !== null) res.set('X-Next-Cursor', report.nextCursor);
      res.send(userReportCsv(report));
    });
  },
};
