import { createHash } from 'node:crypto';

/**
 * The job id of an outbox row: the same for the same row, every time. A relay that dies after
 * queuing a row but before marking it relayed queues it again under this id, and the queue keeps
 * the first (pg-boss inserts with ON CONFLICT DO NOTHING), so no row ever becomes two jobs.
 * A UUID (pg-boss ids are uuid) of version 8, "custom": 122 bits of SHA-256 over schema and row id.
 */
export function jobIdOf(schema: string, outboxId: bigint | number | string): string {
  const bytes = createHash('sha256')
    .update(`${schema}:${String(outboxId)}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
