// Stripe Connect for the platform: the Stripe client and its environment, each tenant's Connect
// account (created, recorded, reported as `BillingReady`), and the Connect events parked for an
// account not recorded yet. Used by billing, the operator and the CLI.
export {
  ConnectAccounts,
  CONNECT_CONTROLLER,
  type BillingReadyCondition,
  type ConnectAccountResult,
  type ConnectAccountsDeps,
} from './connect-accounts.js';
export {
  accountStateOf,
  applyAccountState,
  findBillingAccount,
  findBillingAccountByStripeId,
  recordBillingAccount,
  refreshAccountState,
  type AccountState,
} from './billing-accounts.js';
export {
  countUnapplied,
  markApplied,
  parkEvent,
  purgeParkedBefore,
  recordedAccountsWithParkedEvents,
  unappliedEventsOf,
} from './parked-webhook-events.js';
export { salesStatusOf, type SalesStatus } from './sales-status.js';
export { createStripeClient, type Stripe } from './stripe-client.js';
export { stripeClientEnv, stripeSecretKey } from './stripe-env.js';
