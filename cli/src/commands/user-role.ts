import { randomBytes } from 'node:crypto';
import { TenantClients } from '@mindbot/db';
import type { CliContext } from '../context.js';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** An audit id of the platform's shape (`aud_` + a lower-case ULID: 48 bits of time, 80 random). */
function auditId(now = Date.now()): string {
  let time = '';
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = (CROCKFORD[t % 32] ?? '0') + time;
  const random = [...randomBytes(16)].map((b) => CROCKFORD[b % 32] ?? '0').join('');
  return `aud_${time}${random}`;
}

export type RoleGrantOutcome =
  | { result: 'granted' | 'already_held'; userId: string; roles: string[] }
  | { result: 'unknown_tenant' | 'unknown_user' | 'unknown_role'; roles?: string[] };

/**
 * Grants one of the tenant's roles to one of its existing users, by email: how a tenant gets its
 * first admin without an identity provider. Recorded in the tenant's audit log (`user.role_granted`,
 * actor `cli`) in the same transaction. The user's next token (sign-in or refresh) carries the role.
 */
export async function grantRole(
  tenants: TenantClients,
  isHomeTenant: boolean,
  input: { tenant: string; email: string; role: string },
): Promise<RoleGrantOutcome> {
  if (!isHomeTenant) return { result: 'unknown_tenant' };
  return tenants.forTenant(input.tenant).transaction(async (tx) => {
    const role = await tx.role.findUnique({ where: { name: input.role }, select: { id: true, name: true } });
    if (!role)
      return {
        result: 'unknown_role',
        roles: (await tx.role.findMany({ select: { name: true }, orderBy: { name: 'asc' } })).map((r) => r.name),
      };
    const user = await tx.user.findUnique({ where: { email: input.email.trim().toLowerCase() }, select: { id: true } });
    if (!user) return { result: 'unknown_user' };
    const held = await tx.userRole.findUnique({ where: { userId_roleId: { userId: user.id, roleId: role.id } } });
    if (!held) {
      await tx.userRole.create({ data: { userId: user.id, roleId: role.id } });
      await tx.auditEvent.create({
        data: { id: auditId(), action: 'user.role_granted', actorId: null, target: user.id, data: { role: role.name, by: 'cli' } },
      });
    }
    const roles = (await tx.userRole.findMany({ where: { userId: user.id }, select: { role: { select: { name: true } } } }))
      .map((r) => r.role.name)
      .sort();
    return { result: held ? 'already_held' : 'granted', userId: user.id, roles };
  });
}

/** `mindbot user role <tenant> <email> <role>`: true when the user holds the role afterwards. */
export async function userRole(
  context: CliContext,
  input: { tenant: string; email: string; role: string },
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<boolean> {
  const registered = await context.platform.tenant.findUnique({ where: { slug: input.tenant }, select: { home: true, region: true } });
  if (!registered) {
    io.err(`No tenant "${input.tenant}" is registered here (see: mindbot tenant list).`);
    return false;
  }
  const tenants = new TenantClients(context.pool);
  try {
    const outcome = await grantRole(tenants, registered.home, input);
    switch (outcome.result) {
      case 'unknown_tenant':
        io.err(`Tenant "${input.tenant}" lives in region ${registered.region}: its users are in that region's database.`);
        return false;
      case 'unknown_role':
        io.err(`Tenant "${input.tenant}" has no role "${input.role}"; its roles: ${(outcome.roles ?? []).join(', ')}.`);
        return false;
      case 'unknown_user':
        io.err(`Tenant "${input.tenant}" has no user ${input.email}: they sign up first (POST /v1/auth/password/register).`);
        return false;
      case 'already_held':
      case 'granted':
        io.out(
          `${input.email} (${outcome.userId}) ${outcome.result === 'granted' ? 'now holds' : 'already held'} the role "${input.role}" in tenant "${input.tenant}"; roles: ${outcome.roles.join(', ')}.` +
            (outcome.result === 'granted' ? ' Recorded in the audit log; their next token (sign-in or refresh) carries it.' : ''),
        );
        return true;
    }
  } finally {
    await tenants.close();
  }
}
