import { createHash, randomBytes } from 'node:crypto';
import type { TenantTransaction } from '@mindbot/db';
import { newId } from '@mindbot/ids';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** An opaque, unguessable token with a recognisable prefix (256 random bits). */
export function newOpaqueToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export interface NewSession {
  userId: string;
  method: 'password' | 'oidc' | 'saml' | 'reseller';
  connectionId?: string | undefined;
  samlNameId?: string | undefined;
  samlSessionIndex?: string | undefined;
  expiresAt: Date;
}

export async function createSession(tx: TenantTransaction, session: NewSession): Promise<string> {
  const id = newId('session');
  await tx.authSession.create({
    data: {
      id,
      userId: session.userId,
      method: session.method,
      connectionId: session.connectionId ?? null,
      samlNameId: session.samlNameId ?? null,
      samlSessionIndex: session.samlSessionIndex ?? null,
      expiresAt: session.expiresAt,
    },
  });
  return id;
}

export async function createRefreshToken(tx: TenantTransaction, sessionId: string, expiresAt: Date): Promise<string> {
  const token = newOpaqueToken('mbr');
  await tx.refreshToken.create({ data: { id: newId('refreshToken'), sessionId, tokenHash: hashToken(token), expiresAt } });
  return token;
}

export interface RefreshTokenRow {
  id: string;
  session_id: string;
  expires_at: Date;
  rotated_at: Date | null;
}

/** Locks the token row, so two concurrent uses of one token cannot both rotate it. */
export async function lockRefreshToken(tx: TenantTransaction, token: string): Promise<RefreshTokenRow | undefined> {
  const rows = await tx.$queryRaw<
    RefreshTokenRow[]
  >`SELECT id, session_id, expires_at, rotated_at FROM refresh_tokens WHERE token_hash = ${hashToken(token)} FOR UPDATE`;
  return rows[0];
}

export async function revokeSession(tx: TenantTransaction, sessionId: string, reason: string): Promise<boolean> {
  const { count } = await tx.authSession.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return count > 0;
}

/** Ends every live session of a user; answers the ids of the sessions it ended. */
export async function revokeUserSessions(tx: TenantTransaction, userId: string, reason: string): Promise<string[]> {
  const ended = await tx.authSession.updateManyAndReturn({
    where: { userId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
    select: { id: true },
  });
  return ended.map((s) => s.id);
}

export async function roleNamesOf(tx: TenantTransaction, userId: string): Promise<string[]> {
  const roles = await tx.userRole.findMany({ where: { userId }, select: { role: { select: { name: true } } } });
  return roles.map((r) => r.role.name).sort();
}

/** How a session signed in through SAML: what a logout request to its IdP names (all null for other sessions). */
export async function samlSignInOf(
  tx: TenantTransaction,
  sessionId: string,
): Promise<{ connectionId: string | null; samlNameId: string | null; samlSessionIndex: string | null } | undefined> {
  const session = await tx.authSession.findUnique({
    where: { id: sessionId },
    select: { connectionId: true, samlNameId: true, samlSessionIndex: true },
  });
  return session ?? undefined;
}

/** Ends the live sessions of one SAML NameID (and SessionIndex, when given) on a connection; answers how many ended. */
export async function revokeSamlSessions(
  tx: TenantTransaction,
  match: { connectionId: string; nameId: string; sessionIndex: string | undefined },
  reason: string,
): Promise<number> {
  const { count } = await tx.authSession.updateMany({
    where: {
      connectionId: match.connectionId,
      samlNameId: match.nameId,
      revokedAt: null,
      ...(match.sessionIndex ? { samlSessionIndex: match.sessionIndex } : {}),
    },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return count;
}
