import type { Router } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { sessionsRevokedSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { revokeUserSessions } from '../data/session-repository.js';
import { requestIdOf, tenantAdmin } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** POST /v1/users/:userId/sessions/revoke: an admin ends every session of a user of this tenant (their access tokens are refused everywhere at once). */
export function v1SessionsRevoke(router: Router, sso: Sso): void {
  router.post('/v1/users/:userId/sessions/revoke', ...tenantAdmin(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const userId = String(req.params.userId);
    const ended = await sso.tokens.revoking(tenant.slug, async (tx) => {
      if (!(await tx.user.findUnique({ where: { id: userId }, select: { id: true } }))) return { result: undefined, ended: [] };
      const sessions = await revokeUserSessions(tx, userId, 'admin_revocation');
      return { result: sessions.length, ended: sessions };
    });
    if (ended === undefined) throw new AppError('not_found', 'No such user.');
    await sso.auditor.record(tenant.slug, {
      action: 'session.admin_revoked',
      actorId: principalOf(res).userId,
      target: userId,
      data: { sessionsEnded: ended },
      requestId: requestIdOf(req),
    });
    res.json({ sessionsEnded: ended } satisfies JsonAnswer<typeof sessionsRevokedSchema>);
  });
}
