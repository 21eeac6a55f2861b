import type { PlatformClient, TenantClients } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import { newId } from '@mindbot/ids';
import { findUserByEmail } from '../data/user-repository.js';
import { grantResellerRole, roleIdsByName } from '../data/role-repository.js';
import type { Auditor } from './audit.js';
import type { SignInCodes } from './sign-in-codes.js';
import { announceUserCreated } from './user-events.js';

export type HandoffFailure =
  /** Not a tenant this reseller sells to (or no tenant at all: the same answer). */
  | 'not_a_child'
  /** The child's data lives in another region: its console opens there. */
  | 'elsewhere'
  /** The child is suspended or being deleted. */
  | 'not_active'
  /** The child's owners blocked this reseller user in their tenant. */
  | 'blocked';

export interface Handoff {
  tenant: string;
  /** The single-use code the child's console redeems at POST /v1/sso/exchange (60 s, no PKCE: it crosses origins). */
  code: string;
}

/**
 * A reseller's admin opens the console of a tenant it sells to (`parentReseller`). In the child they
 * are a user of their own, by their email, with the `reseller` role: visible in the child's user list,
 * blockable by its owners, unable to touch its owners. The child is checked against the platform
 * registry itself (not a cache) and the handoff is audited in both tenants.
 */
export class ResellerHandoff {
  constructor(
    private readonly platform: PlatformClient,
    private readonly tenants: TenantClients,
    private readonly codes: SignInCodes,
    private readonly auditor: Auditor,
    private readonly region: string,
  ) {}

  async open(reseller: string, actorId: string, child: string, requestId: string | undefined): Promise<Result<Handoff, HandoffFailure>> {
    const row = await this.platform.tenant.findUnique({
      where: { slug: child },
      select: { parentSlug: true, status: true, region: true, home: true },
    });
    if (row?.parentSlug !== reseller) return fail('not_a_child');
    if (!row.home || row.region !== this.region) return fail('elsewhere');
    if (row.status !== 'active') return fail('not_active');

    const actor = await this.tenants
      .forTenant(reseller)
      .transaction((tx) => tx.user.findUnique({ where: { id: actorId }, select: { email: true, displayName: true } }));
    if (!actor) return fail('not_a_child');

    const delegate = await this.tenants.forTenant(child).transaction(async (tx) => {
      const existing = await findUserByEmail(tx, actor.email);
      if (existing && existing.status !== 'active') return undefined;
      const userId = existing?.id ?? newId('user');
      if (!existing) await tx.user.create({ data: { id: userId, email: actor.email, displayName: actor.displayName } });
      const role = (await roleIdsByName(tx, ['reseller'])).get('reseller');
      if (role) await grantResellerRole(tx, userId, role, reseller);
      if (!existing) await announceUserCreated(tx, userId, actor.email);
      return { userId, created: !existing };
    });
    if (!delegate) return fail('blocked');

    const code = await this.codes.issue(child, {
      userId: delegate.userId,
      method: 'reseller',
      reseller: { tenant: reseller, userId: actorId },
    });
    await this.auditor.record(reseller, { action: 'reseller.console_opened', actorId, target: child, requestId });
    await this.auditor.record(child, {
      action: 'reseller.handoff',
      actorId: delegate.userId,
      target: delegate.userId,
      data: { resellerTenant: reseller, resellerUser: actorId, createdUser: delegate.created },
      requestId,
    });
    return ok({ tenant: child, code });
  }
}
