import type { TenantScope } from '@mindbot/db';
import { balanceOf, type BalanceView } from './balance.js';
import { readSessionState, type MeteringSettings, type SessionState } from './metering.js';

/**
 * A running or ended session as the agent's balance and cost tools show it: the session so far
 * (nothing settled by reading) and its user's balance; undefined when there is no such session.
 */
export async function sessionSummaryOf(
  scope: TenantScope,
  caller: { sessionId: string; userId: string },
  settings: MeteringSettings,
  now: Date,
): Promise<{ session: SessionState; balance: BalanceView } | undefined> {
  const session = await readSessionState(scope, caller.sessionId, settings, now);
  if (!session) return undefined;
  const balance = await balanceOf(scope, caller.userId, now);
  return { session, balance };
}
