import { z } from 'zod';
import { loadConfig } from '@mindbot/config';
import { serviceEnv } from '@mindbot/service-runtime';
import { stripeClientEnv, stripeSecretKey } from '@mindbot/stripe-connect';

const seconds = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

const billingEnv = z.object({
  ...serviceEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** The platform's Stripe secret key (Connect platform account). */
  STRIPE_SECRET_KEY: stripeSecretKey,
  /** Signing secret of the Connect webhook endpoint (created with connect=true). */
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/=_-]+$/, 'must be a webhook signing secret (whsec_…)'),
  ...stripeClientEnv,
  /** Service credentials the gateway and agent present on /internal routes (comma-separated, ≥ 32 characters each; two during rotation). */
  BILLING_SERVICE_TOKENS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t.length > 0),
    )
    .pipe(z.array(z.string().min(32, 'each token must have at least 32 characters')).min(1, 'must list at least one token')),
  /** Verification of platform user tokens (issued by the SSO service). */
  AUTH_JWKS_URL: z.url({ error: 'must be the SSO service JWKS URL' }),
  AUTH_ISSUER: z.string().min(1),
  AUTH_AUDIENCE: z.string().min(1).default('mindbot-platform'),
  /** Where Checkout and Connect onboarding send people back when a tenant has no domain of its own. */
  BILLING_APP_URL: z.url().default('http://localhost:8080'),
  /** Seconds a voice session reserves ahead of use. */
  METERING_CHUNK_SECONDS: seconds(60, 3600),
  /** Heartbeats answer `warn` when this little time is left. */
  METERING_WARN_SECONDS: seconds(120, 3600),
  /** Sessions without a heartbeat for this long are closed by the sweeper. */
  METERING_HEARTBEAT_TIMEOUT_SECONDS: seconds(90, 3600),
  METERING_SWEEP_INTERVAL_SECONDS: seconds(30, 3600),
  /**
   * How long a Connect event of an account not recorded here is kept (waiting for the provisioner
   * to record it) before the sweeper deletes it. Stripe itself gives up redelivering after 3 days.
   */
  STRIPE_PARKED_EVENT_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24 * 7),
  /** Wrong activation codes a user may try per window (the tenant as a whole: 40 times this). */
  ACTIVATION_MAX_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  /** Wrong activation codes one client IP may try per window, whichever users it signs in as. */
  ACTIVATION_MAX_FAILURES_PER_IP: z.coerce.number().int().min(1).max(10000).default(20),
  /** The window of the activation failure limits. */
  ACTIVATION_FAILURE_WINDOW_SECONDS: seconds(900, 86400),
});

export type BillingConfig = z.output<typeof billingEnv>;

/** The only place the billing reads the environment. */
export function loadBillingConfig(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  return loadConfig(billingEnv, env);
}

const policyEnv = billingEnv.pick({
  METERING_CHUNK_SECONDS: true,
  METERING_WARN_SECONDS: true,
  METERING_HEARTBEAT_TIMEOUT_SECONDS: true,
  STRIPE_PARKED_EVENT_RETENTION_HOURS: true,
  ACTIVATION_MAX_FAILURES: true,
  ACTIVATION_MAX_FAILURES_PER_IP: true,
  ACTIVATION_FAILURE_WINDOW_SECONDS: true,
});

export type BillingPolicyConfig = z.output<typeof policyEnv>;

/** The policy settings (metering, activation limits, retention) at their defaults: what apps built in tests and benchmarks run with. */
export function defaultBillingPolicyConfig(): BillingPolicyConfig {
  return policyEnv.parse({});
}
