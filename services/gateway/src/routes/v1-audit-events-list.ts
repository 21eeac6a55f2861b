import { listAuditEntries } from '@mindbot/audit';
import { parseInput } from '@mindbot/errors';
import { toCsv } from '@mindbot/http';
import { auditPageSchema, auditQuerySchema, problemSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { ADMIN_ROLES, requireUser } from '../http/authenticate.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-resolution.js';

/** GET /v1/audit-events — who did what in the tenant, newest first, filtered, a page at a time; CSV with format=csv. */
export const v1AuditEventsList: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/audit-events',
    operationId: 'listAuditEvents',
    summary: "Read the tenant's audit log: filter by actor, action, target and time; page with nextCursor; CSV with format=csv.",
    auth: 'admin',
    query: auditQuerySchema,
    responses: {
      200: { description: 'A page of entries, newest first', schema: auditPageSchema, alsoMediaTypes: ['text/csv'] },
      400: { description: 'Invalid filter', schema: problemSchema },
      401: { description: 'Not signed in', schema: problemSchema },
      403: { description: 'Not an admin of this tenant', schema: problemSchema },
    },
  },
  mount(router, ctx) {
    router.get('/v1/audit-events', requireUser(...ADMIN_ROLES), async (req, res) => {
      const q = parseInput(auditQuerySchema, req.query, 'query');
      const tenant = tenantOf(res).slug;
      const page = await ctx.deps.tenants.forTenant(tenant).transaction((tx) =>
        listAuditEntries(tx, {
          actorId: q.actor,
          action: q.action,
          target: q.target,
          from: q.from === undefined ? undefined : new Date(q.from),
          to: q.to === undefined ? undefined : new Date(q.to),
          cursor: q.cursor,
          limit: q.limit,
        }),
      );
      res.set('Cache-Control', 'no-store');
      if (q.format === 'csv') {
        const rows = page.entries.map((e) => ({ ...e, createdAt: e.createdAt.toISOString(), data: JSON.stringify(e.data) }));
        if (page.nextCursor) res.set('X-Next-Cursor', page.nextCursor);
        res
          .type('text/csv; charset=utf-8')
          .attachment(`audit-${tenant}.csv`)
          .send(toCsv(rows, ['seq', 'createdAt', 'actorId', 'actorEmail', 'action', 'target', 'data', 'requestId', 'hash']));
        return;
      }
      res.json({
        entries: page.entries.map((e) => ({ ...e, data: (e.data ?? {}) as Record<string, unknown> })),
        nextCursor: page.nextCursor,
      } satisfies JsonAnswer<typeof auditPageSchema>);
    });
  },
};
