// Purchases under chaos (with stripe-mock): a tenant that sells, onboarded as `npm start` onboards
// its tenants, and a buyer whose time-card purchases are paid by Stripe's signed
// checkout.session.completed delivered twice at once, and again until billing acknowledges it, as
// Stripe redelivers. The ledger check then proves each paid purchase was fulfilled exactly once.
import { randomBytes } from 'node:crypto';
import { completeLocalOnboarding, loadCliConfig, openContext, tenantProvision, type CliContext } from '@mindbot/cli';
import { TenantClients } from '@mindbot/db';
import { createStripeClient } from '@mindbot/stripe-connect';
import { testManifest, uniqueSlug } from '@mindbot/testing';
import { completeCheckout, type WebhookTarget } from '../../cli/src/local-payments.js';

export interface Shop {
  slug: string;
  /** A buyer's access token. */
  token: string;
  /** The package it buys. */
  packageId: string;
  /** Delivers the signed checkout.session.completed of `purchaseId` once; the status billing answered (0: none). */
  pay(purchaseId: string): Promise<number>;
  close(): Promise<void>;
}

export async function openShop(options: {
  databaseUrl: string;
  billingUrl: string;
  stripeUrl: string;
  secretKey: string;
  webhookSecret: string;
  register: (slug: string, email: string, password: string) => Promise<string>;
  packages: (slug: string, token: string) => Promise<string>;
}): Promise<Shop> {
  const config = loadCliConfig({
    DATABASE_URL: options.databaseUrl,
    BILLING_URL: options.billingUrl,
    STRIPE_SECRET_KEY: options.secretKey,
    STRIPE_API_URL: options.stripeUrl,
    NODE_ENV: 'test',
  });
  const cli: CliContext = await openContext(config);
  const tenants = new TenantClients(cli.pool);
  const target: WebhookTarget = {
    billingUrl: options.billingUrl,
    webhookSecret: options.webhookSecret,
    livemode: false,
    secretKey: options.secretKey,
  };
  try {
    const slug = uniqueSlug('chaos-shop');
    const lines: string[] = [];
    if ((await tenantProvision(cli, [testManifest(slug)], (line) => lines.push(line))) > 0)
      throw new Error(`provisioning ${slug}: ${lines.join('\n')}`);
    const onboarded = await completeLocalOnboarding(
      cli.platform,
      createStripeClient({ secretKey: options.secretKey, apiUrl: options.stripeUrl }),
      target,
    );
    const mine = onboarded.find((o) => o.tenant === slug);
    if (mine?.delivery.status !== 200) throw new Error(`onboarding ${slug}: ${JSON.stringify(mine)}`);
    const token = await options.register(slug, `buyer@${slug}.example`, `Pw-${randomBytes(12).toString('base64url')}-9a`);
    const packageId = await options.packages(slug, token);
    return {
      slug,
      token,
      packageId,
      async pay(purchaseId) {
        try {
          const done = await completeCheckout(cli.platform, tenants, target, { purchaseId, tenant: slug });
          if (done.result === 'delivered') return done.delivery.status;
          // Already paid by the other delivery: what Stripe's redelivery would find too.
          return done.result === 'not_payable' ? 200 : 0;
        } catch {
          return 0;
        }
      },
      async close() {
        await tenants.close();
        await cli.close();
      },
    };
  } catch (error) {
    await tenants.close();
    await cli.close();
    throw error;
  }
}
