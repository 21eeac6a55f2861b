// The billing step of tenant provisioning, for the operator and the CLI: `@mindbot/billing/provisioning`.
export {
  BillingProvisioner,
  CONNECT_CONTROLLER,
  type BillingProvisionerDeps,
  type BillingProvisionResult,
  type BillingReadyCondition,
} from './domain/connect-provisioning.js';
export { createStripeClient, type Stripe } from './domain/stripe-client.js';
export type { SalesStatus } from './domain/sales-status.js';
export { stripeClientEnv, stripeSecretKey } from './stripe-env.js';
