import type { TenantTransaction } from '@mindbot/db';
import type { RelayedJob } from '@mindbot/jobs';
import { z } from 'zod';
import type { NotificationSender, SendOutcome } from './notification-sender.js';

/** A platform event job's payload (PlatformEventJob), checked as it comes off the queue. */
const platformEvent = z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) });
const purchaseCompleted = z.object({ purchaseId: z.string(), userId: z.string() });
const balanceLow = z.object({ userId: z.string(), secondsAvailable: z.number().int().min(0) });

interface ReceiptRow {
  package_name: string;
  amount_cents: number;
  currency: string;
  seconds: number;
  activation_code: string;
  code_expires_at: Date;
}

/** A code as users see it everywhere else (GET /v1/time-cards, the widget): XXXX-XXXX-XXXX; activation accepts it with or without dashes. */
const grouped = (code: string): string => code.match(/.{1,4}/g)?.join('-') ?? code;

/** The purchase and its time card as the receipt shows them; null when the purchase has no card (taken back before). */
async function receiptOf(tx: TenantTransaction, purchaseId: string): Promise<ReceiptRow | null> {
  const [row] = await tx.$queryRaw<ReceiptRow[]>`
    SELECT p.package_name, p.amount_cents, p.currency, c.seconds, c.activation_code, c.code_expires_at
    FROM purchases p JOIN time_cards c ON c.purchase_id = p.id WHERE p.id = ${purchaseId}`;
  return row ?? null;
}

/**
 * The worker of the platform event queue: a completed purchase becomes its receipt with the
 * activation code, a low balance its warning. Keyed by the outbox row, so a retried job (or the
 * relay sending a row twice) never sends a second message.
 */
export function handlePlatformEvent(sender: NotificationSender, job: RelayedJob): Promise<SendOutcome | 'ignored'> {
  const key = `event:${job.outboxId}`;
  const event = platformEvent.parse(job.payload);
  switch (event.type) {
    case 'purchase.completed': {
      const data = purchaseCompleted.parse(event.data);
      return sender.sendOnce(job.tenant, {
        key,
        kind: 'purchase_receipt',
        userId: data.userId,
        async compose(tx) {
          const receipt = await receiptOf(tx, data.purchaseId);
          if (!receipt) return null;
          return {
            kind: 'purchase_receipt',
            packageName: receipt.package_name,
            amountCents: receipt.amount_cents,
            currency: receipt.currency,
            seconds: receipt.seconds,
            activationCode: grouped(receipt.activation_code),
            codeExpiresAt: receipt.code_expires_at,
          };
        },
      });
    }
    case 'balance.low': {
      const data = balanceLow.parse(event.data);
      return sender.sendOnce(job.tenant, {
        key,
        kind: 'low_balance',
        userId: data.userId,
        compose: (_tx, brand) =>
          Promise.resolve({ kind: 'low_balance', secondsAvailable: data.secondsAvailable, buyUrl: `${brand.origin}/` }),
      });
    }
    default:
      return Promise.resolve('ignored');
  }
}
