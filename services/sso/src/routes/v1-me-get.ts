import type { Router } from 'express';
import { principalOf } from '@mindbot/auth';
import { AppError } from '@mindbot/errors';
import { meSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { signedIn } from '../http/guards.js';
import { tenantOf } from '../http/tenant-context.js';
import type { Sso } from '../sso.js';

/** GET /v1/auth/me: the signed-in user, their roles and identities. */
export function v1MeGet(router: Router, sso: Sso): void {
  router.get('/v1/auth/me', signedIn(sso), async (_req, res) => {
    const tenant = tenantOf(res);
    const principal = principalOf(res);
    const user = await sso.deps.tenants.forTenant(tenant.slug).transaction((tx) =>
      tx.user.findUnique({
        where: { id: principal.userId },
        select: {
          id: true,
          email: true,
          displayName: true,
          roles: { select: { role: { select: { name: true } } } },
          identities: { select: { connectionId: true, groups: true } },
        },
      }),
    );
    if (!user) throw new AppError('not_found', 'No such user.');
    res.json({
      id: user.id,
      tenant: tenant.slug,
      email: user.email,
      displayName: user.displayName,
      roles: user.roles.map((r) => r.role.name).sort(),
      identities: user.identities,
      sessionId: principal.sessionId,
    } satisfies JsonAnswer<typeof meSchema>);
  });
}
