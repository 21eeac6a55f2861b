import type { TenantTransaction } from '@mindbot/db';
import { emitWebhookEvent } from '@mindbot/jobs';
import { roleNamesOf } from '../data/session-repository.js';

/**
 * `user.created` for the tenant's webhook endpoints, in the transaction that made the account (after
 * its roles), so an endpoint hears of exactly the accounts that exist (ADR 0056).
 */
export async function announceUserCreated(tx: TenantTransaction, userId: string, email: string): Promise<void> {
  await emitWebhookEvent(tx, { type: 'user.created', data: { userId, email, roles: await roleNamesOf(tx, userId) } });
}
