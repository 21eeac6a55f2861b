import type { TenantTransaction } from '@mindbot/db';

export interface InvitationRow {
  id: string;
  email: string;
  roles: string[];
  status: string;
  invitedBy: string | null;
  expiresAt: Date;
  createdAt: Date;
}

const VIEW = { id: true, email: true, roles: true, status: true, invitedBy: true, expiresAt: true, createdAt: true } as const;

export async function createInvitation(
  tx: TenantTransaction,
  invitation: { id: string; email: string; roles: string[]; tokenHash: string; invitedBy: string | null; expiresAt: Date },
): Promise<InvitationRow> {
  return tx.invitation.create({ data: invitation, select: VIEW });
}

/** The pending, unexpired invitations, newest first. */
export async function pendingInvitations(tx: TenantTransaction, now: Date): Promise<InvitationRow[]> {
  return tx.invitation.findMany({ where: { status: 'pending', expiresAt: { gt: now } }, orderBy: { createdAt: 'desc' }, select: VIEW });
}

/** The pending, unexpired invitations of one email, oldest first. */
export async function pendingInvitationsOf(tx: TenantTransaction, email: string, now: Date): Promise<InvitationRow[]> {
  return tx.invitation.findMany({
    where: { email, status: 'pending', expiresAt: { gt: now } },
    orderBy: { createdAt: 'asc' },
    select: VIEW,
  });
}

/** The invitation a token opens while it is pending and unexpired. */
export async function openInvitation(tx: TenantTransaction, tokenHash: string, now: Date): Promise<InvitationRow | undefined> {
  const row = await tx.invitation.findFirst({ where: { tokenHash, status: 'pending', expiresAt: { gt: now } }, select: VIEW });
  return row ?? undefined;
}

/** Marks a pending invitation revoked; false when there is none such (unknown, used or revoked already). */
export async function revokeInvitation(tx: TenantTransaction, id: string): Promise<boolean> {
  const { count } = await tx.invitation.updateMany({
    where: { id, status: 'pending' },
    data: { status: 'revoked', revokedAt: new Date() },
  });
  return count === 1;
}

/** Revokes every pending invitation of an email (a new one replaces them); answers their ids. */
export async function revokePendingInvitationsOf(tx: TenantTransaction, email: string): Promise<string[]> {
  const revoked = await tx.invitation.updateManyAndReturn({
    where: { email, status: 'pending' },
    data: { status: 'revoked', revokedAt: new Date() },
    select: { id: true },
  });
  return revoked.map((r) => r.id);
}

/**
 * Uses a pending, unexpired invitation once: of two concurrent uses only one changes the row.
 * False when it was not there to use.
 */
export async function claimInvitation(tx: TenantTransaction, id: string, userId: string, now: Date): Promise<boolean> {
  const { count } = await tx.invitation.updateMany({
    where: { id, status: 'pending', expiresAt: { gt: now } },
    data: { status: 'accepted', acceptedBy: userId, acceptedAt: now },
  });
  return count === 1;
}
