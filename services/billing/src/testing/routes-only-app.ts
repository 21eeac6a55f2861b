import type { Express } from 'express';
import { createTokenVerifier } from '@mindbot/auth';
import type { ServiceDeps } from '@mindbot/service-runtime';
import { createApp } from '../app.js';
import { billingPolicyOf } from '../deps.js';
import { defaultBillingPolicyConfig } from '../config.js';
import { createStripeClient } from '@mindbot/stripe-connect';

// Nothing listens here: requests that reached Stripe or the JWKS would fail at once.
const INERT_URL = 'http://127.0.0.1:9';

/**
 * Billing's real app over inert Stripe and token settings, for reading which routes it serves
 * (its service-contract test); building it calls nothing.
 */
export function createRoutesOnlyApp(deps: ServiceDeps): Express {
  return createApp(deps, {
    stripe: createStripeClient({ secretKey: 'sk_test_inert', apiUrl: INERT_URL }),
    webhookSecret: 'whsec_inert',
    livemode: false,
    verifier: createTokenVerifier({ jwks: new URL(`${INERT_URL}/jwks`), issuer: 'inert', audience: 'inert' }),
    serviceTokens: [],
    appUrl: INERT_URL,
    baseDomain: 'localhost',
    ...billingPolicyOf(defaultBillingPolicyConfig()),
    clock: () => new Date(),
  });
}
