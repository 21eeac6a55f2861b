-- Partial refunds: a purchase remembers the most money refunded on it so far. Stripe reports the
-- cumulative `amount_refunded` on the charge, so keeping the highest value seen makes repeated and
-- out-of-order refund events idempotent: only an increase takes more seconds back (docs/api/billing.md).
ALTER TABLE purchases
  ADD COLUMN refunded_cents integer NOT NULL DEFAULT 0;
ALTER TABLE purchases
  ADD CONSTRAINT purchases_refunded_cents_check CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents);
-- Whatever was refunded in full before this migration counts as fully refunded.
UPDATE purchases SET refunded_cents = amount_cents WHERE status = 'refunded';
