import type { TenantClients } from '@mindbot/db';
import type { Logger } from '@mindbot/logger';
import type { NotificationSender } from './notification-sender.js';

/** How far ahead users are told that their minutes expire. */
export const EXPIRY_NOTICE_DAYS = 7;

interface ExpiringLot {
  id: string;
  user_id: string;
  remaining_seconds: number;
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
      // Seconds a running call has used since its last capture to the ledger are still in the lots;
      // the capture takes them from the first-expiring lot first (ADR 0064). They are left out here
      // as `GET /v1/balance` leaves them out, so a user in a call is not told of time already spoken.
      const lots = await deps.tenants.forTenant(tenant).transaction(
        (tx) => tx.$queryRaw<ExpiringLot[]>`
          WITH in_calls AS (
            SELECT user_id, sum(pending_seconds)::integer AS seconds FROM voice_sessions
            WHERE status = 'active' AND pending_seconds > 0 GROUP BY user_id
          ), expiring AS (
            SELECT id, user_id, remaining_seconds, expires_at,
              COALESCE(sum(remaining_seconds) OVER (PARTITION BY user_id ORDER BY expires_at, id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::integer AS earlier_seconds
            FROM minute_lots WHERE remaining_seconds > 0 AND expires_at > ${now} AND expires_at <= ${until}
          ), unspent AS (
            SELECT e.id, e.user_id, e.expires_at,
              e.remaining_seconds - LEAST(e.remaining_seconds, GREATEST(0, COALESCE(c.seconds, 0) - e.earlier_seconds)) AS remaining_seconds
            FROM expiring e LEFT JOIN in_calls c USING (user_id)
          )
          SELECT id, user_id, remaining_seconds, expires_at FROM unspent WHERE remaining_seconds > 0 ORDER BY expires_at, id`,
      );
      for (const lot of lots) {
        const outcome = await deps.sender.sendOnce(tenant, {
          key: `expiring:${lot.id}`,
          kind: 'minutes_expiring',
          userId: lot.user_id,
          compose: (_tx, brand) =>
            Promise.resolve({
              kind: 'minutes_expiring',
              seconds: lot.remaining_seconds,
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
