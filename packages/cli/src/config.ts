import { z } from 'zod';
import { commonEnv, envBoolean, loadConfig } from '@mindbot/config';

const cliEnv = z.object({
  MINDBOT_REGION: commonEnv.MINDBOT_REGION,
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).default('postgres://postgres@127.0.0.1:5432/mindbot'),
  /** Tests point this at a copy of prisma/migrations. */
  MINDBOT_MIGRATIONS_DIR: z.string().min(1).optional(),
  /** The platform's Stripe secret key: set, `tenant provision` also makes each tenant's Stripe Connect account. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, 'must be a Stripe secret or restricted key (sk_test_…, sk_live_…)')
    .optional(),
  /** Only for stripe-mock in development and tests, e.g. http://127.0.0.1:12111. */
  STRIPE_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  STRIPE_LIVEMODE: envBoolean(false),
});

export type CliConfig = z.output<typeof cliEnv>;

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  return loadConfig(cliEnv, env);
}
