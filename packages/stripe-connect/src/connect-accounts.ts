import type { PlatformClient, TenantClients } from '@mindbot/db';
import { createLogger, type Logger } from '@mindbot/logger';
import type { TenantManifest } from '@mindbot/tenancy';
import { accountStateOf, applyAccountState, findBillingAccount, recordBillingAccount, refreshAccountState } from './billing-accounts.js';
import { DEFAULT_PACKAGE_IDS, DEFAULT_PACKAGE_PRICES, isUntouchedDefault, type BillingCurrency } from './default-packages.js';
import { markApplied, unappliedEventsOf } from './parked-webhook-events.js';
import { salesStatusOf, type SalesStatus } from './sales-status.js';
import type { Stripe } from './stripe-client.js';

/** The condition the operator writes to the Tenant's status (`type: BillingReady`). */
export interface BillingReadyCondition {
  type: 'BillingReady';
  status: 'True' | 'False';
  /** CamelCase, as Kubernetes conditions want: `SalesOpen`, `OnboardingIncomplete`, `ChargesDisabled`, `AccountClosed`. */
  reason: string;
  message: string;
}

export interface ConnectAccountResult {
  stripeAccountId: string;
  /** True when this call created the Connect account. */
  created: boolean;
  sales: SalesStatus;
  condition: BillingReadyCondition;
}

export interface ConnectAccountsDeps {
  stripe: Stripe;
  platform: PlatformClient;
  /** When given, the tenant's default packages take the currency of its manifest until it sells anything. */
  tenants?: TenantClients;
  livemode: boolean;
  /** For parked webhook events applied by `ensure`; by default only warnings and errors, on stdout. */
  logger?: Logger;
  /**
   * Applies all the account's parked webhook events through billing's webhook code path; billing
   * passes its own. Without it `ensure` applies the parked `account.updated` events itself (all a
   * brand-new account can have) and leaves any other event to billing's sweeper: purchases, time
   * cards and the minute ledger are billing's to change, not the operator's or the CLI's.
   */
  applyParkedEvents?: (stripeAccountId: string) => Promise<unknown>;
}

/**
 * Controller properties of every tenant's Connect account (docs/adr/0020-connect-account-type.md):
 * the tenant is the merchant of record with its own full Stripe dashboard, pays its own Stripe fees
 * and Stripe collects its requirements; the platform takes an application fee on direct charges.
 */
export const CONNECT_CONTROLLER: Stripe.AccountCreateParams.Controller = {
  fees: { payer: 'account' },
  losses: { payments: 'stripe' },
  requirement_collection: 'stripe',
  stripe_dashboard: { type: 'full' },
};

/**
 * Stripe timestamps events in whole seconds: a state read at 12:00:00.700 is recorded as of 12:00:00,
 * so an `account.updated` created in that same second is still applied rather than taken as older.
 * Callers take the time before asking Stripe: what Stripe answers is at least that recent, never
 * claimed newer than it is.
 */
const wholeSecond = (date: Date): Date => new Date(Math.floor(date.getTime() / 1000) * 1000);

function conditionOf(sales: SalesStatus, closed: boolean, detailsSubmitted: boolean): BillingReadyCondition {
  if (sales.salesOpen)
    return { type: 'BillingReady', status: 'True', reason: 'SalesOpen', message: 'The Stripe account can take card payments.' };
  const reason = closed ? 'AccountClosed' : detailsSubmitted ? 'ChargesDisabled' : 'OnboardingIncomplete';
  return { type: 'BillingReady', status: 'False', reason, message: sales.reason ?? 'The Stripe account cannot take card payments yet.' };
}

/**
 * Each tenant's Stripe Connect account, for the operator (`BillingReady`), the CLI and billing:
 * makes sure the tenant has exactly one and reports whether it can sell.
 *
 *   const accounts = new ConnectAccounts({ stripe: createStripeClient({ secretKey }), platform, livemode: false });
 *   const { condition } = await accounts.ensure(manifest);   // after TenantProvisioner.provision(manifest)
 *
 * Idempotent: the account is recorded in `platform.billing_accounts` and created with a
 * deterministic idempotency key (tenant slug + registry id), so a retried or concurrent call never
 * makes a second account; a tenant re-created under the same slug gets a new registry id and so a
 * new account. Throws only on Stripe or database failures (the operator retries with backoff).
 */
export class ConnectAccounts {
  constructor(private readonly deps: ConnectAccountsDeps) {}

  async ensure(manifest: TenantManifest): Promise<ConnectAccountResult> {
    const slug = manifest.metadata.name;
    const tenant = await this.deps.platform.tenant.findUnique({ where: { slug }, select: { id: true, home: true } });
    if (!tenant) throw new Error(`Tenant "${slug}" is not registered: provision it before its billing.`);
    let created = false;
    let row = await findBillingAccount(this.deps.platform, slug);
    if (row?.closedAt) {
      // Only the finalizer closes an account, so a closed one here belongs to an earlier tenant of
      // this slug: the re-created tenant (a new registry id, so a new idempotency key) gets its own.
      // Webhooks of the new account cannot have landed yet (they route by the id written here).
      const asOf = wholeSecond(new Date());
      const account = await this.createAccount(manifest, tenant.id);
      await this.deps.platform.billingAccount.update({
        where: { tenantSlug: slug },
        data: {
          stripeAccountId: account.id,
          livemode: this.deps.livemode,
          ...accountStateOf(account),
          stateAsOf: asOf,
          closedAt: null,
          updatedAt: new Date(),
        },
      });
      created = true;
    } else if (row) {
      // Refresh what Stripe says now; webhooks keep it current between reconciles. An
      // `account.updated` applied while Stripe answered is at least as new as this read, so the
      // write is conditional on the recorded as-of time and never rolls such an event back.
      const asOf = wholeSecond(new Date());
      const account = await this.deps.stripe.accounts.retrieve(row.stripeAccountId);
      await refreshAccountState(this.deps.platform, slug, accountStateOf(account), asOf);
    } else {
      const asOf = wholeSecond(new Date());
      const account = await this.createAccount(manifest, tenant.id);
      created = await recordBillingAccount(this.deps.platform, {
        tenantSlug: slug,
        stripeAccountId: account.id,
        livemode: this.deps.livemode,
        state: accountStateOf(account),
        asOf,
      });
    }
    if (tenant.home && this.deps.tenants) await this.alignDefaultCurrency(slug, manifest.spec.billing.currency);
    await this.applyParked(slug);
    row = await findBillingAccount(this.deps.platform, slug);
    if (!row) throw new Error(`The billing account of tenant "${slug}" vanished while it was provisioned.`);
    const sales = salesStatusOf(row);
    return {
      stripeAccountId: row.stripeAccountId,
      created,
      sales,
      condition: conditionOf(sales, row.closedAt !== null, row.detailsSubmitted),
    };
  }

  /**
   * Webhook events that arrived before the account id was recorded (Stripe fires account.updated
   * right after creating the account) were parked by the endpoint: apply them now, oldest first.
   * Runs on every `ensure`, so a drain cut short (a crash, Stripe unreachable for a refund's re-read)
   * is finished by the next reconcile; the billing sweeper does the same. Without tenant clients
   * (the tenant's own events could not apply) the sweeper takes them all.
   */
  private async applyParked(slug: string): Promise<void> {
    if (!this.deps.tenants) return;
    const row = await findBillingAccount(this.deps.platform, slug);
    if (!row || row.closedAt) return;
    if (this.deps.applyParkedEvents) await this.deps.applyParkedEvents(row.stripeAccountId);
    else await this.applyParkedAccountEvents(row.stripeAccountId);
  }

  /**
   * The account's own parked events, as billing's webhook path applies them: another mode's event is
   * ignored, and an `account.updated` older than the recorded state never rolls it back. An event
   * that fails stays parked for the next drain; the ones after it are still applied.
   */
  private async applyParkedAccountEvents(stripeAccountId: string): Promise<void> {
    const logger = this.deps.logger ?? createLogger({ name: 'connect-accounts', level: 'warn' });
    for (const event of await unappliedEventsOf(this.deps.platform, stripeAccountId)) {
      if (event.type !== 'account.updated') continue;
      try {
        const outcome =
          event.livemode === this.deps.livemode
            ? await applyAccountState(
                this.deps.platform,
                stripeAccountId,
                accountStateOf(event.data.object),
                new Date(event.created * 1000),
              )
            : 'livemode_mismatch';
        await markApplied(this.deps.platform, event.id, new Date());
        logger.info({ stripeAccountId, eventId: event.id, eventType: event.type, outcome }, 'parked stripe event applied');
      } catch (error) {
        logger.error({ err: error, stripeAccountId, eventId: event.id }, 'parked stripe event could not be applied; it stays parked');
      }
    }
  }

  /** One connected account per registry incarnation of the tenant: the idempotency key makes retries and races return the same one. */
  private createAccount(manifest: TenantManifest, tenantId: string) {
    const slug = manifest.metadata.name;
    return this.deps.stripe.accounts.create(
      {
        controller: CONNECT_CONTROLLER,
        capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
        business_profile: { name: manifest.spec.displayName },
        metadata: { mindbot_tenant: slug, mindbot_tenant_id: tenantId, mindbot_region: manifest.spec.region },
      },
      { idempotencyKey: `mindbot:connect-account:${slug}:${tenantId}` },
    );
  }

  /**
   * What is recorded now (kept current by `account.updated` webhooks), without calling Stripe or
   * writing anything: for periodic re-checks of a tenant whose account `ensure` already made.
   * `null` when the tenant has no account recorded (then `ensure` is what it needs).
   */
  async current(slug: string): Promise<ConnectAccountResult | null> {
    const row = await findBillingAccount(this.deps.platform, slug);
    if (!row) return null;
    const sales = salesStatusOf(row);
    return {
      stripeAccountId: row.stripeAccountId,
      created: false,
      sales,
      condition: conditionOf(sales, row.closedAt !== null, row.detailsSubmitted),
    };
  }

  /** For the Tenant finalizer: stops sales and webhook routing to the tenant; the Stripe account and its records stay with the tenant. */
  async close(slug: string): Promise<void> {
    await this.deps.platform.billingAccount.updateMany({
      where: { tenantSlug: slug, closedAt: null },
      data: { closedAt: new Date(), updatedAt: new Date() },
    });
  }

  /**
   * The seeded packages are priced in USD; a tenant selling in another currency gets them in its own,
   * at that currency's default price (whole yen for JPY), until its first sale. Only packages still
   * at a default price are re-priced: one an admin has priced keeps the admin's price and currency.
   */
  private async alignDefaultCurrency(slug: string, currency: BillingCurrency): Promise<void> {
    if (!this.deps.tenants) return;
    const prices = DEFAULT_PACKAGE_PRICES[currency];
    await this.deps.tenants.forTenant(slug).transaction(async (tx) => {
      if ((await tx.purchase.count()) > 0) return;
      const seeded = await tx.package.findMany({
        where: { id: { in: [...DEFAULT_PACKAGE_IDS] }, currency: { not: currency } },
        select: { id: true, currency: true, priceCents: true },
      });
      for (const pkg of seeded) {
        if (!isUntouchedDefault(pkg)) continue;
        await tx.package.updateMany({
          where: { id: pkg.id, currency: pkg.currency, priceCents: pkg.priceCents },
          data: { currency, priceCents: prices[pkg.id], updatedAt: new Date() },
        });
      }
    });
  }
}
