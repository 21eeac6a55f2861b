/**
 * A user's minute lots as they stand once running calls' pending seconds (charged, not yet captured
 * to the ledger) are taken out. The capture takes them from the first-expiring lot first (ADR 0064),
 * so `lots` must be in spending order: expiry, then id.
 */
export function lotsLessPending<Lot extends { remainingSeconds: number }>(lots: readonly Lot[], pendingSeconds: number): Lot[] {
  let pending = pendingSeconds;
  return lots.map((lot) => {
    const taken = Math.min(lot.remainingSeconds, pending);
    pending -= taken;
    return { ...lot, remainingSeconds: lot.remainingSeconds - taken };
  });
}
