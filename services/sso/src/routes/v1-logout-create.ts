import type { Router } from 'express';
import { principalOf } from '@mindbot/auth';
import { requestIdOf, signedIn } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** POST /v1/auth/logout: ends the caller's session (its refresh tokens stop working at once). */
export function v1LogoutCreate(router: Router, sso: Sso): void {
  router.post('/v1/auth/logout', signedIn(sso), async (req, res) => {
    const tenant = tenantOf(res);
    const principal = principalOf(res);
    await sso.tokens.revoke(tenant.slug, principal.sessionId, 'logout');
    await sso.auditor.record(tenant.slug, { action: 'session.logout', actorId: principal.userId, target: principal.sessionId, requestId: requestIdOf(req) });
    res.status(204).end();
  });
}
