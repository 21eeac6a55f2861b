/**
 * The seconds a purchase gives back once `refundedCents` of its `amountCents` have been refunded:
 * the refunded share of its seconds, rounded down, so the platform never takes back more time than
 * the money it returned (a 1-cent refund of a 999-cent hour takes 3 s, not 4). Cumulative by
 * design: callers take `secondsRefunded(new) - secondsRefunded(already applied)`, which adds up to
 * exactly `secondsRefunded(total)` however the refunds were split.
 */
export function secondsRefunded(purchase: { seconds: number; amountCents: number }, refundedCents: number): number {
  const cents = Math.min(Math.max(refundedCents, 0), purchase.amountCents);
  // seconds ≤ 72,000,000 and cents ≤ 10,000,000 (table constraints): the product stays below 2^53.
  return Math.floor((purchase.seconds * cents) / purchase.amountCents);
}
