import { TenantClients } from '@mindbot/db';
import type { CliConfig } from '../config.js';
import type { CliContext } from '../context.js';
import { completeCheckout, LocalPaymentsRefused, type WebhookTarget } from '../local-payments.js';

export function webhookTargetOf(config: CliConfig): WebhookTarget {
  if (!config.STRIPE_WEBHOOK_SECRET) {
    throw new LocalPaymentsRefused(
      'STRIPE_WEBHOOK_SECRET is unset: set it to the secret billing verifies Stripe events with (`npm start` sets it itself; run this while it runs).',
    );
  }
  return {
    billingUrl: config.BILLING_URL,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    livemode: config.STRIPE_LIVEMODE,
    secretKey: config.STRIPE_SECRET_KEY,
  };
}

/** `mindbot checkout complete <purchaseId>`: true when billing fulfilled the purchase (or it already was). */
export async function checkoutComplete(
  context: CliContext,
  config: CliConfig,
  input: { purchaseId: string; tenant?: string | undefined },
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<boolean> {
  const tenants = new TenantClients(context.pool);
  try {
    const done = await completeCheckout(context.platform, tenants, webhookTargetOf(config), input);
    switch (done.result) {
      case 'unknown_purchase':
        io.err(`No purchase ${input.purchaseId}${input.tenant ? ` in tenant "${input.tenant}"` : ' in the tenants of this database'}.`);
        return false;
      case 'not_payable':
        io.err(`Purchase ${input.purchaseId} (tenant "${done.tenant}") is ${done.status}: only a pending purchase can be paid.`);
        return false;
      case 'no_checkout_session':
        io.err(`Purchase ${input.purchaseId} (tenant "${done.tenant}") has no Checkout Session: its checkout could not be started.`);
        return false;
      case 'no_billing_account':
        io.err(`Tenant "${done.tenant}" has no open Stripe account.`);
        return false;
      case 'delivered': {
        const { delivery } = done;
        const said = `${delivery.outcome}${delivery.reason ? ` (${delivery.reason})` : ''}`;
        if (delivery.status !== 200 || (delivery.outcome !== 'applied' && delivery.outcome !== 'unchanged')) {
          io.err(`Billing (${config.BILLING_URL}) answered ${delivery.status}: ${said}. The purchase is not paid.`);
          return false;
        }
        io.out(
          `Checkout Session ${done.checkoutSessionId} of purchase ${done.purchaseId} (tenant "${done.tenant}") completed: checkout.session.completed delivered to billing, ${said}.`,
        );
        io.out('The purchase is paid; its activation code is in GET /v1/time-cards.');
        return true;
      }
    }
  } finally {
    await tenants.close();
  }
}
