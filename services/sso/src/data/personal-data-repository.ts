import type { TenantTransaction } from '@mindbot/db';

type Row = Record<string, unknown>;

/** A user's own row as the export shows it (the password's hash never leaves; whether there is one does). */
export interface PersonalProfile {
  id: string;
  email: string;
  displayName: string | null;
  status: string;
  hasPassword: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface PersonalRecords {
  user: PersonalProfile;
  roles: { name: string; source: string; grantedAt: Date }[];
  identities: Row[];
  sessions: Row[];
  invitations: Row[];
  purchases: Row[];
  timeCards: Row[];
  minuteLots: Row[];
  ledgerEntries: Row[];
  voiceSessions: Row[];
  voiceSessionEvents: Row[];
  notificationPreferences: Row | null;
  auditEntries: Row[];
}

/**
 * Every row of the tenant's schema about one user, each as all its columns (jsonb of the row),
 * minus secrets that are not the user's to see (token and password hashes). The queries name their
 * tables: a new table holding personal data is added here and to {@link erasePersonalRecords}, and
 * the erasure test (which searches every table) fails until it is.
 */
export async function findPersonalRecords(tx: TenantTransaction, userId: string): Promise<PersonalRecords | undefined> {
  const user = await tx.user.findUnique({ where: { id: userId } });
  if (!user) return undefined;
  const rows = async (query: Promise<{ row: Row }[]>) => (await query).map((r) => r.row);
  const roles = await tx.userRole.findMany({
    where: { userId },
    select: { source: true, grantedAt: true, role: { select: { name: true } } },
    orderBy: { grantedAt: 'asc' },
  });
  const hasPreferences = await tableExists(tx, 'notification_preferences');
  return {
    user: {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      status: user.status,
      hasPassword: user.passwordHash !== null,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    },
    roles: roles.map((r) => ({ name: r.role.name, source: r.source, grantedAt: r.grantedAt })),
    identities: await rows(
      tx.$queryRaw<{ row: Row }[]>`SELECT to_jsonb(i) AS row FROM user_identities i WHERE user_id = ${userId} ORDER BY created_at`,
    ),
    sessions: await rows(
      tx.$queryRaw<{ row: Row }[]>`SELECT to_jsonb(s) AS row FROM auth_sessions s WHERE user_id = ${userId} ORDER BY created_at`,
    ),
    invitations: await rows(
      tx.$queryRaw<
        { row: Row }[]
      >`SELECT to_jsonb(i) - 'token_hash' AS row FROM invitations i WHERE email = ${user.email} OR invited_by = ${userId} OR accepted_by = ${userId} ORDER BY created_at`,
    ),
    purchases: await rows(
      tx.$queryRaw<{ row: Row }[]>`SELECT to_jsonb(p) AS row FROM purchases p WHERE user_id = ${userId} ORDER BY created_at`,
    ),
    timeCards: await rows(
      tx.$queryRaw<
        { row: Row }[]
      >`SELECT to_jsonb(c) AS row FROM time_cards c WHERE owner_id = ${userId} OR activated_by = ${userId} ORDER BY created_at`,
    ),
    minuteLots: await rows(
      tx.$queryRaw<{ row: Row }[]>`SELECT to_jsonb(l) AS row FROM minute_lots l WHERE user_id = ${userId} ORDER BY created_at`,
    ),
    ledgerEntries: await rows(
      tx.$queryRaw<{ row: Row }[]>`SELECT to_jsonb(e) AS row FROM ledger_entries e WHERE user_id = ${userId} ORDER BY created_at, id`,
    ),
    voiceSessions: await rows(
      tx.$queryRaw<
        { row: Row }[]
      >`SELECT to_jsonb(s) - 'job_token_hash' AS row FROM voice_sessions s WHERE user_id = ${userId} ORDER BY started_at`,
    ),
    voiceSessionEvents: await rows(
      tx.$queryRaw<{ row: Row }[]>`SELECT to_jsonb(e) AS row FROM voice_session_events e WHERE user_id = ${userId} ORDER BY created_at`,
    ),
    notificationPreferences: hasPreferences
      ? ((
          await rows(tx.$queryRaw<{ row: Row }[]>`SELECT to_jsonb(n) AS row FROM notification_preferences n WHERE user_id = ${userId}`)
        )[0] ?? null)
      : null,
    auditEntries: await rows(
      tx.$queryRaw<
        { row: Row }[]
      >`SELECT to_jsonb(a) - 'prev_hash' AS row FROM audit_log a WHERE actor_id = ${userId} OR target = ${userId} ORDER BY seq`,
    ),
  };
}

/** What an erasure did, for its answer and its audit entry. */
export interface ErasedRecords {
  financialRecordsKept: number;
}

/**
 * Erases one user from the tenant's schema, in the caller's transaction (sessions already revoked
 * by the caller, so their ids can be announced): financial records move to `pseudonym`, a fresh id
 * recorded nowhere beside the old one; everything else personal is deleted or blanked; the user
 * row goes (its roles, identities, sessions, refresh tokens and reset tokens with it). Audit
 * entries keep the opaque user id in their hashed columns (the chain must verify) but lose the
 * personal details kept outside the hash (ADR 0059).
 */
export async function erasePersonalRecords(
  tx: TenantTransaction,
  user: { id: string; email: string },
  pseudonym: string,
): Promise<ErasedRecords> {
  const id = user.id;
  // Kept for the law (bookkeeping), no longer tied to a person.
  let kept = 0;
  kept += await tx.$executeRaw`UPDATE purchases SET user_id = ${pseudonym} WHERE user_id = ${id}`;
  kept += await tx.$executeRaw`UPDATE time_cards SET owner_id = ${pseudonym} WHERE owner_id = ${id}`;
  await tx.$executeRaw`UPDATE time_cards SET activated_by = ${pseudonym} WHERE activated_by = ${id}`;
  kept += await tx.$executeRaw`UPDATE minute_lots SET user_id = ${pseudonym} WHERE user_id = ${id}`;
  kept += await tx.$executeRaw`UPDATE ledger_entries SET user_id = ${pseudonym} WHERE user_id = ${id}`;
  kept += await tx.$executeRaw`UPDATE voice_sessions SET user_id = ${pseudonym} WHERE user_id = ${id}`;
  // What the person said to the agent is theirs, not a financial record.
  await tx.$executeRaw`DELETE FROM voice_session_events WHERE user_id = ${id}`;
  // Things the tenant keeps that the person made: kept, under the pseudonym.
  await tx.$executeRaw`UPDATE api_keys SET created_by = ${pseudonym}, created_by_session = NULL WHERE created_by = ${id}`;
  await tx.$executeRaw`UPDATE webhook_endpoints SET created_by = ${pseudonym} WHERE created_by = ${id}`;
  await tx.$executeRaw`UPDATE invitations SET invited_by = NULL WHERE invited_by = ${id}`;
  await tx.$executeRaw`DELETE FROM invitations WHERE email = ${user.email} OR accepted_by = ${id}`;
  // Events already sent to the tenant's endpoints (and any still to send) name the pseudonym instead.
  await tx.$executeRaw`UPDATE outbox_events SET payload = replace(replace(payload::text, ${id}, ${pseudonym}), ${user.email}, '[erased]')::jsonb
    WHERE strpos(payload::text, ${id}) > 0 OR strpos(payload::text, ${user.email}) > 0`;
  await tx.$executeRaw`UPDATE webhook_events SET payload = replace(replace(payload::text, ${id}, ${pseudonym}), ${user.email}, '[erased]')::jsonb
    WHERE strpos(payload::text, ${id}) > 0 OR strpos(payload::text, ${user.email}) > 0`;
  // Tables of tenant migration 0015 (notifications), when this schema has them.
  if (await tableExists(tx, 'notification_preferences')) await tx.$executeRaw`DELETE FROM notification_preferences WHERE user_id = ${id}`;
  if (await tableExists(tx, 'sent_notifications')) await tx.$executeRaw`DELETE FROM sent_notifications WHERE user_id = ${id}`;
  await tx.$executeRaw`UPDATE audit_log SET personal = '{}' WHERE (actor_id = ${id} OR target = ${id}) AND personal <> '{}'`;
  await tx.$executeRaw`UPDATE audit_log SET personal = '{}' WHERE personal <> '{}' AND strpos(personal::text, ${user.email}) > 0`;
  await tx.user.delete({ where: { id } });
  return { financialRecordsKept: kept };
}

async function tableExists(tx: TenantTransaction, table: string): Promise<boolean> {
  const [found] = await tx.$queryRaw<{ exists: boolean }[]>`SELECT to_regclass(${table}) IS NOT NULL AS exists`;
  return found?.exists === true;
}
