-- The Stripe Connect account of each tenant: routes Connect webhooks (event.account) to a tenant
-- and records whether the tenant can sell (the operator's BillingReady condition reads it).
CREATE TABLE platform.billing_accounts (
  tenant_slug            text PRIMARY KEY,
  stripe_account_id      text NOT NULL UNIQUE,
  livemode               boolean NOT NULL,
  charges_enabled        boolean NOT NULL DEFAULT false,
  payouts_enabled        boolean NOT NULL DEFAULT false,
  details_submitted      boolean NOT NULL DEFAULT false,
  card_payments          text NOT NULL DEFAULT 'inactive',
  disabled_reason        text,
  requirements_due       text[] NOT NULL DEFAULT '{}',
  -- `created` of the newest account.updated applied (or the time of the last read): older events are ignored.
  state_as_of            timestamptz(3) NOT NULL DEFAULT now(),
  closed_at              timestamptz(3),
  created_at             timestamptz(3) NOT NULL DEFAULT now(),
  updated_at             timestamptz(3) NOT NULL DEFAULT now()
);
