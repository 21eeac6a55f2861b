import { z } from 'zod';
import { envBoolean } from '@mindbot/config';

/** The platform's Stripe secret or restricted key, as every process that calls Stripe takes it. */
export const stripeSecretKey = z
  .string()
  .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, 'must be a Stripe secret or restricted key (sk_test_…, sk_live_…)');

/** Where and in which mode Stripe is called: the same variables for billing, the operator and the CLI. */
export const stripeClientEnv = {
  /** Only for stripe-mock in development and tests, e.g. http://127.0.0.1:12111. */
  STRIPE_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** Whether the key is a live one: events of the other mode are ignored, accounts record it. */
  STRIPE_LIVEMODE: envBoolean(false),
};
