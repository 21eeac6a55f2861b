import { lotsLessPending, type TenantClients } from '@mindbot/db';
import type { Logger } from '@mindbot/logger';
import type { NotificationSender } from './notification-sender.js';

/** How far ahead users are told that their minutes expire. */
export const EXPIRY_NOTICE_DAYS = 7;

interface ExpiringLot {
  id: string;
  user_id: string;
  remainingSeconds: number;
  expires_at: Date;
}

/**
 * The daily job: every user of every tenant listed whose unused minutes expire within seven days is
 * told so, once per lot of minutes (the key), whatever the number of days the job runs in that week
 * or the retries of one run. A tenant that fails is logged and the others go on; the job then fails,
 * so the queue retries it (tenants done already send nothing again).
 */
export async function notifyExpiringMinutes(
  deps: { tenants: TenantClients; sender: NotificationSender; logger: Logger; listTenants(): Promise<string[]> },
  now: Date,
): Promise<{ sent: number }> {
  const until = new Date(now.getTime() + EXPIRY_NOTICE_DAYS * 86_400_000);
  let sent = 0;
  let failed = 0;
  for (const tenant of await deps.listTenants()) {
    try {
      // Seconds a running call has used since its last capture to the ledger are still in the lots.
      // They are left out here as `GET /v1/balance` leaves them out, so a user in a call is not told
      // of time already spoken. Every lot spent before an expiring one expires sooner, so is in the window.
      const lots = await deps.tenants.forTenant(tenant).transaction(
        async (tx) => {
          const expiring = await tx.$queryRaw<ExpiringLot[]>`
            SELECT id, user_id, remaining_seconds AS "remainingSeconds", expires_at FROM minute_lots
            WHERE remaining_seconds > 0 AND expires_at > ${now} AND expires_at <= ${until} ORDER BY expires_at, id`;
          const inCalls = await tx.$queryRaw<{ user_id: string; seconds: number }[]>`
            SELECT user_id, sum(pending_seconds)::integer AS seconds FROM voice_sessions
            WHERE status = 'active' AND pending_seconds > 0 GROUP BY user_id`;
          const pendingOf = new Map(inCalls.map((row) => [row.user_id, row.seconds]));
          const byUser = new Map<string, ExpiringLot[]>();
          for (const lot of expiring) byUser.set(lot.user_id, [...(byUser.get(lot.user_id) ?? []), lot]);
          return [...byUser]
            .flatMap(([userId, userLots]) => lotsLessPending(userLots, pendingOf.get(userId) ?? 0))
            .filter((lot) => lot.remainingSeconds > 0)
            .sort((a, b) => a.expires_at.getTime() - b.expires_at.getTime());
        },
        { isolationLevel: 'RepeatableRead' },
      );
      for (const lot of lots) {
        const outcome = await deps.sender.sendOnce(tenant, {
          key: `expiring:${lot.id}`,
          kind: 'minutes_expiring',
          userId: lot.user_id,
          compose: (_tx, brand) =>
            Promise.resolve({
              kind: 'minutes_expiring',
              seconds: lot.remainingSeconds,
              expiresAt: lot.expires_at,
              startUrl: `${brand.origin}/`,
            }),
        });
        if (outcome === 'sent') sent++;
      }
    } catch (error) {
      failed++;
      deps.logger.warn({ err: error, tenantId: tenant }, 'expiring-minutes notices failed for a tenant');
    }
  }
  if (failed > 0) throw new Error(`expiring-minutes notices failed for ${failed} tenant(s)`);
  return { sent };
}
