import { z } from 'zod';
import { commonEnv, loadConfig } from '@mindbot/config';
import { stripeClientEnv, stripeSecretKey } from '@mindbot/stripe-connect';

const cliEnv = z.object({
  MINDBOT_REGION: commonEnv.MINDBOT_REGION,
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/mindbot'),
  /** Tests point this at a copy of prisma/migrations. */
  MINDBOT_MIGRATIONS_DIR: z.string().min(1).optional(),
  /** The platform's Stripe secret key: set, `tenant provision` also makes each tenant's Stripe Connect account. */
  STRIPE_SECRET_KEY: stripeSecretKey.optional(),
  ...stripeClientEnv,
  /** Billing, for `checkout complete` (its webhook route); `npm start`'s billing by default. */
  BILLING_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('http://127.0.0.1:8081'),
  /** The secret billing verifies Stripe signatures with: `checkout complete` signs with it. */
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  NODE_ENV: z.string().optional(),
});

export type CliConfig = z.output<typeof cliEnv>;

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return loadConfig(cliEnv, env);
}
