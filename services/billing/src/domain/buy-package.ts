import type { PlatformClient, TenantScope } from '@mindbot/db';
import { AppError } from '@mindbot/errors';
import type { Logger } from '@mindbot/logger';
import { findBillingAccount, salesStatusOf, type Stripe } from '@mindbot/stripe-connect';
import { type PurchaseFailure, type PurchaseInput, type PurchaseView, startPurchase } from './purchases.js';
import { fail, type Result } from '@mindbot/errors';

export type BuyFailure = PurchaseFailure | 'sales_closed' | 'session_ended';

type BuyEnv = { platform: PlatformClient; scope: TenantScope; stripe: Stripe; logger: Logger; appUrl: string; feePercent: number };

/**
 * A user buys a package, whether they asked in the app or the agent asked for them in a call: only
 * while the tenant's Stripe account can sell, on that account, with the platform's fee.
 */
export async function buyPackage(env: BuyEnv, input: PurchaseInput): Promise<Result<PurchaseView, BuyFailure>> {
  const account = await findBillingAccount(env.platform, env.scope.slug);
  const sales = salesStatusOf(account);
  if (!account || !sales.salesOpen) return fail('sales_closed', sales.reason ?? undefined);
  return startPurchase(
    {
      scope: env.scope,
      stripe: env.stripe,
      logger: env.logger,
      stripeAccountId: account.stripeAccountId,
      feePercent: env.feePercent,
      appUrl: env.appUrl,
    },
    input,
  );
}

/**
 * The agent buys a package for the user of a call (the start_purchase tool): only while the call
 * runs. Asking again for the same package in the same call answers the same purchase and Checkout link.
 */
export async function buyPackageInCall(
  env: BuyEnv,
  input: { session: { sessionId: string; userId: string; active: boolean }; packageId: string },
): Promise<Result<PurchaseView, BuyFailure>> {
  if (!input.session.active) return fail('session_ended');
  const { sessionId, userId } = input.session;
  return buyPackage(env, { userId, packageId: input.packageId, requestKey: `call:${sessionId}:${input.packageId}` });
}

/** The problem answer of a failed purchase, the same on every route that buys. */
export function buyProblem(failure: BuyFailure, detail: string | undefined, tenantName: string): AppError {
  switch (failure) {
    case 'sales_closed':
      return new AppError('conflict', `${tenantName} cannot sell time cards right now.`, { extensions: { reason: detail ?? null } });
    case 'session_ended':
      return new AppError('conflict', 'This voice session has ended; purchases are made in a running call only.');
    case 'package_not_found':
      return new AppError('not_found', 'No such package is for sale.');
    case 'checkout_unavailable':
      return new AppError('unavailable', 'The payment provider could not be reached; nothing was charged. Try again.', {
        headers: { 'Retry-After': '5' },
      });
  }
}
