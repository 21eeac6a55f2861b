import Stripe from 'stripe';

export type { Stripe };

/**
 * The platform's Stripe client. `apiUrl` points it at stripe-mock in development and tests; in
 * production it is unset and the SDK talks to api.stripe.com. Retries reuse the idempotency key.
 */
export function createStripeClient(options: { secretKey: string; apiUrl?: string | undefined }): Stripe {
  const url = options.apiUrl ? new URL(options.apiUrl) : undefined;
  return new Stripe(options.secretKey, {
    maxNetworkRetries: 2,
    timeout: 15_000,
    appInfo: { name: 'mindbot-billing' },
    ...(url
      ? {
          host: url.hostname,
          port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
          protocol: url.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
