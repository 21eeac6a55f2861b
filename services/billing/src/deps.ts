import { createTokenVerifier, type RevokedSessions, type TokenVerifier } from '@mindbot/auth';
import type { BillingConfig, BillingPolicyConfig } from './config.js';
import type { MeteringSettings } from './domain/metering.js';
import { createStripeClient, type Stripe } from '@mindbot/stripe-connect';

/** What billing needs beyond the shared service dependencies. */
export interface BillingDeps {
  stripe: Stripe;
  webhookSecret: string;
  /** Whether this deployment takes live-mode events (else test-mode). */
  livemode: boolean;
  /** Verifies platform user tokens (SSO service JWKS). */
  verifier: TokenVerifier;
  /** Credentials accepted on /internal routes. */
  serviceTokens: readonly string[];
  /** Fallback base URL for Checkout and onboarding return pages. */
  appUrl: string;
  /** Tenants' platform hosts are `<slug>.<baseDomain>` (BASE_DOMAIN; `localhost` when not given, as its default). */
  baseDomain?: string;
  metering: MeteringSettings;
  activationMaxFailures: number;
  activationMaxFailuresPerIp: number;
  activationFailureWindowSeconds: number;
  /** Parked webhook events (account not recorded here) older than this are purged by the sweeper. */
  parkedEventRetentionMs: number;
  clock: () => Date;
}

export type BillingPolicy = Pick<
  BillingDeps,
  'metering' | 'activationMaxFailures' | 'activationMaxFailuresPerIp' | 'activationFailureWindowSeconds' | 'parkedEventRetentionMs'
>;

/** How billing meters, limits activation guessing and keeps parked events, from its configuration. */
export function billingPolicyOf(config: BillingPolicyConfig): BillingPolicy {
  return {
    metering: {
      chunkSeconds: config.METERING_CHUNK_SECONDS,
      warnSeconds: config.METERING_WARN_SECONDS,
      heartbeatTimeoutSeconds: config.METERING_HEARTBEAT_TIMEOUT_SECONDS,
      clockToleranceSeconds: 15,
    },
    activationMaxFailures: config.ACTIVATION_MAX_FAILURES,
    activationMaxFailuresPerIp: config.ACTIVATION_MAX_FAILURES_PER_IP,
    activationFailureWindowSeconds: config.ACTIVATION_FAILURE_WINDOW_SECONDS,
    parkedEventRetentionMs: config.STRIPE_PARKED_EVENT_RETENTION_HOURS * 3_600_000,
  };
}

/** Billing's parts from its configuration; `revokedSessions` is the process's revocation list (ServiceDeps). */
export function buildBillingDeps(config: BillingConfig, revokedSessions: RevokedSessions): BillingDeps {
  return {
    stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL }),
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    livemode: config.STRIPE_LIVEMODE,
    verifier: createTokenVerifier({
      jwks: new URL(config.AUTH_JWKS_URL),
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      revokedSessions,
    }),
    serviceTokens: config.BILLING_SERVICE_TOKENS,
    appUrl: config.BILLING_APP_URL.replace(/\/$/, ''),
    baseDomain: config.BASE_DOMAIN,
    ...billingPolicyOf(config),
    clock: () => new Date(),
  };
}
