import type { Queue } from 'pg-boss';

/** A job as the relay queues it: which tenant's outbox row it came from, and the row's payload. */
export interface RelayedJob<P = Record<string, unknown>> {
  tenant: string;
  outboxId: string;
  payload: P;
}

/** Every queue's name and options; the relay refuses (leaves unrelayed) rows of a topic not listed here. */
export type QueueDefinitions = Record<string, Omit<Queue, 'name'>>;
