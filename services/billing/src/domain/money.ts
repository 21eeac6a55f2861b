/**
 * The platform's application fee on a sale, in minor units, rounded half up. The percentage is
 * taken to two decimals (basis points) so the arithmetic stays in integers.
 */
export function applicationFeeCents(amountCents: number, feePercent: number): number {
  const basisPoints = Math.round(feePercent * 100);
  return Math.floor((amountCents * basisPoints + 5_000) / 10_000);
}
