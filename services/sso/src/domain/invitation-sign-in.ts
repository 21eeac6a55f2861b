import type { TenantTransaction } from '@mindbot/db';
import { claimInvitation, pendingInvitationsOf } from '../data/invitation-repository.js';
import { grantRoles, roleIdsByName } from '../data/role-repository.js';

/**
 * Grants the roles of an email's pending invitations to the user who just proved the address
 * through the tenant's identity provider, and marks them accepted. Answers the invitations used.
 */
export async function acceptInvitationsOnSignIn(tx: TenantTransaction, userId: string, email: string, now: Date): Promise<string[]> {
  const accepted: string[] = [];
  for (const invitation of await pendingInvitationsOf(tx, email, now)) {
    if (!(await claimInvitation(tx, invitation.id, userId, now))) continue;
    await grantRoles(tx, userId, [...(await roleIdsByName(tx, invitation.roles)).values()], 'grant');
    accepted.push(invitation.id);
  }
  return accepted;
}
