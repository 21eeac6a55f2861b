import type { TenantScope } from '@mindbot/db';
import { creditLot } from '../data/minute-ledger.js';
import { formatActivationCode, normaliseActivationCode } from './activation-code.js';
import { fail, ok, type Result } from '@mindbot/errors';
import { emitWebhookEvent } from '@mindbot/jobs';

/** Minutes of an activated card last this long. */
export const LOT_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

export type ActivationFailure = 'invalid_code' | 'already_activated' | 'revoked' | 'code_expired';

export interface Activation {
  timeCardId: string;
  lotId: string;
  seconds: number;
  expiresAt: Date;
}

/**
 * Activates a code for `userId`, as the user typed it (`abcd-efgh-jkmn` and `ABCDEFGHJKMN` are one
 * code; what cannot be a code at all is `invalid_code` without a query): the card turns active and
 * its minutes are credited as a new lot with a one-year expiry. The conditional UPDATE is the
 * guard: of two concurrent activations of one code, Postgres lets exactly one match
 * `status = 'issued'`; the other sees `already_activated`.
 */
export async function activateTimeCard(
  scope: TenantScope,
  input: { userId: string; code: string },
  now: Date,
): Promise<Result<Activation, ActivationFailure>> {
  const code = normaliseActivationCode(input.code);
  if (code === undefined) return fail('invalid_code');
  return scope.transaction(async (tx) => {
    const [card] = await tx.$queryRaw<{ id: string; seconds: number }[]>`
      UPDATE time_cards SET status = 'active', activated_by = ${input.userId}, activated_at = ${now}
      WHERE activation_code = ${code} AND status = 'issued' AND code_expires_at > ${now}
      RETURNING id, seconds`;
    if (!card) {
      const [found] = await tx.$queryRaw<
        { status: string; code_expires_at: Date }[]
      >`SELECT status, code_expires_at FROM time_cards WHERE activation_code = ${code}`;
      if (!found) return fail('invalid_code');
      if (found.status === 'active') return fail('already_activated');
      if (found.status === 'revoked') return fail('revoked');
      return fail('code_expired');
    }
    const expiresAt = new Date(now.getTime() + LOT_LIFETIME_MS);
    const { lotId } = await creditLot(tx, { userId: input.userId, timeCardId: card.id, seconds: card.seconds, expiresAt });
    await emitWebhookEvent(
      tx,
      {
        type: 'time_card.activated',
        data: { timeCardId: card.id, userId: input.userId, seconds: card.seconds, expiresAt: expiresAt.toISOString() },
      },
      now,
    );
    return ok({ timeCardId: card.id, lotId, seconds: card.seconds, expiresAt });
  });
}

export interface TimeCardView {
  id: string;
  purchaseId: string;
  activationCode: string | null;
  seconds: number;
  status: string;
  activatedAt: Date | null;
  codeExpiresAt: Date;
  createdAt: Date;
}

/** The owner's cards. The code is shown only while it can still be used, and only to its owner. */
export async function listTimeCards(scope: TenantScope, ownerId: string): Promise<TimeCardView[]> {
  const cards = await scope.transaction((tx) => tx.timeCard.findMany({ where: { ownerId }, orderBy: { createdAt: 'desc' }, take: 200 }));
  return cards.map((c) => ({
    id: c.id,
    purchaseId: c.purchaseId,
    activationCode: c.status === 'issued' ? formatActivationCode(c.activationCode) : null,
    seconds: c.seconds,
    status: c.status,
    activatedAt: c.activatedAt,
    codeExpiresAt: c.codeExpiresAt,
    createdAt: c.createdAt,
  }));
}
