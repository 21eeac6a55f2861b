import type { TenantTransaction } from '@mindbot/db';
import { emitWebhookEvent } from '@mindbot/jobs';

/**
 * Tells the tenant (a `balance.low` webhook event) and the user (an e-mail, ADR 0058) that the
 * balance fell to the threshold at which the agent warns, once per session: the first settle that
 * crosses it marks the session (tenant migration 0015), later heartbeats find it marked and emit
 * nothing. Runs in the settle's transaction, which holds the session row's lock, so two concurrent
 * settles of one session cannot both mark it. Only called when the settle answered `warn`.
 */
export async function announceLowBalance(
  tx: TenantTransaction,
  session: { id: string; userId: string },
  secondsAvailable: number,
  thresholdSeconds: number,
  now: Date,
): Promise<void> {
  const marked = await tx.$executeRaw`
    UPDATE voice_sessions SET low_balance_at = ${now} WHERE id = ${session.id} AND low_balance_at IS NULL`;
  if (marked === 0) return;
  await emitWebhookEvent(tx, { type: 'balance.low', data: { userId: session.userId, secondsAvailable, thresholdSeconds } }, now);
}
