import type { Prisma, TenantTransaction } from '@mindbot/db';

/** The channel the outbox trigger notifies at commit; the payload is the tenant's schema name. */
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
}
