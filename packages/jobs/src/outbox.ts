import { afterCommit, type Prisma, type TenantTransaction } from '@mindbot/db';

/** The channel that wakes the relay once an outbox row has committed; the payload is the tenant's schema name. */
export const OUTBOX_CHANNEL = 'mindbot_outbox';

export type JobPayload = Prisma.InputJsonObject;

/**
 * Queues work in the caller's tenant transaction: it becomes a job when (and only if) the
 * transaction commits, however the process ends afterwards. `orderingKey`: jobs with the same key
 * run one at a time, in the order they were queued (the queue must be a key-ordered one).
 */
export async function enqueue(
  tx: TenantTransaction,
  topic: string,
  payload: JobPayload,
  options: { orderingKey?: string } = {},
): Promise<void> {
  await tx.outboxEvent.create({ data: { topic, payload, orderingKey: options.orderingKey ?? null } });
  // After the commit, batched with other transactions' (CommitNotifications): a NOTIFY inside the
  // transaction would make every money transaction commit one at a time.
  if (!afterCommit(tx, (committed) => committed.notify(OUTBOX_CHANNEL, committed.schema)))
    await tx.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, current_schema())`;
}
