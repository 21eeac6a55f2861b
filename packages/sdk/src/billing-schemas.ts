import { z } from 'zod';
import { isoDate } from './common-schemas.js';

// The billing service's public request and response shapes: billing validates with them, the gateway
// documents them in /openapi.json, the client parses with them. Responses are loose: billing may add fields.

/** Ids as billing mints them (`pkg_…`), including the seeded package ids such as `pkg_starter`. */
export const packageIdSchema = z.string().regex(/^pkg_[0-9a-z_]{1,60}$/, 'must be a package id (pkg_…)');

export const balanceSchema = z
  .object({
    availableSeconds: z.int(),
    totalSeconds: z.int(),
    heldSeconds: z.int(),
    lots: z.array(
      z.object({ id: z.string(), timeCardId: z.string(), grantedSeconds: z.int(), remainingSeconds: z.int(), expiresAt: isoDate }).loose(),
    ),
  })
  .loose()
  .meta({ id: 'Balance' });

export const packageSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    priceCents: z.int(),
    currency: z.string(),
    baseSeconds: z.int(),
    bonusSeconds: z.int(),
    totalSeconds: z.int(),
  })
  .loose()
  .meta({ id: 'Package' });

export const packageListSchema = z
  .object({ packages: z.array(packageSchema) })
  .loose()
  .meta({ id: 'PackageList' });

export const purchaseCreateRequestSchema = z
  .object({
    packageId: packageIdSchema,
    returnUrl: z
      .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
      .max(2048)
      .optional()
      .meta({
        description:
          "The page to come back to after Checkout (the web widget sends its page): an absolute http(s) URL on one of the tenant's own origins or one of its `embedOrigins`. Checkout returns to it with `mindbot_checkout=success|cancel&mindbot_purchase=<id>` added to its query (its fragment dropped). Without it, the platform's purchase page.",
      }),
  })
  .strict()
  .meta({ id: 'PurchaseCreateRequest' });

export const purchaseSchema = z
  .object({
    id: z.string(),
    packageId: z.string(),
    packageName: z.string(),
    amountCents: z.int(),
    currency: z.string(),
    seconds: z.int(),
    status: z.string(),
    checkoutUrl: z.string().nullable().meta({ description: 'Where to pay; only while the purchase is pending.' }),
    createdAt: isoDate,
    paidAt: isoDate.nullable(),
  })
  .loose()
  .meta({ id: 'Purchase' });

export const purchaseListSchema = z
  .object({ purchases: z.array(purchaseSchema) })
  .loose()
  .meta({ id: 'PurchaseList' });

export const historyPageSchema = z
  .object({
    entries: z.array(
      z
        .object({
          id: z.string(),
          kind: z.string().meta({ description: 'credit, usage, reversal, expiry, …' }),
          seconds: z.int().meta({ description: 'Positive for credits, negative for what was taken.' }),
          lotId: z.string(),
          sessionId: z.string().nullable(),
          createdAt: isoDate,
        })
        .loose(),
    ),
    next: z.string().nullable().meta({ description: 'Pass as `before` for the next page; null on the last.' }),
  })
  .loose()
  .meta({ id: 'HistoryPage' });

export const voiceSessionRecordSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    settledSeconds: z.int(),
    chargedSeconds: z.int(),
    startedAt: isoDate,
    endedAt: isoDate.nullable(),
    endReason: z.string().nullable(),
  })
  .loose()
  .meta({ id: 'VoiceSessionRecord' });

export const voiceSessionRecordListSchema = z
  .object({ sessions: z.array(voiceSessionRecordSchema) })
  .loose()
  .meta({ id: 'VoiceSessionRecordList' });

/** What was said and done in one call, in order (kept unless the tenant turned transcripts off). */
export const voiceSessionTranscriptSchema = z
  .object({
    sessionId: z.string(),
    userId: z.string(),
    persona: z.string().nullable(),
    startedAt: isoDate,
    endedAt: isoDate.nullable(),
    events: z.array(
      z
        .object({
          seq: z.int(),
          kind: z.string().meta({ description: 'user, agent or tool' }),
          text: z.string(),
          toolName: z.string().nullable(),
          toolArguments: z.unknown().nullable(),
          at: isoDate,
        })
        .loose(),
    ),
  })
  .loose()
  .meta({ id: 'VoiceSessionTranscript' });

export const timeCardSchema = z
  .object({
    id: z.string(),
    purchaseId: z.string(),
    activationCode: z.string().nullable().meta({ description: 'Shown to the owner only, while the card can still be activated.' }),
    seconds: z.int(),
    status: z.string(),
    activatedAt: isoDate.nullable(),
    codeExpiresAt: isoDate,
    createdAt: isoDate,
  })
  .loose()
  .meta({ id: 'TimeCard' });

export const timeCardListSchema = z
  .object({ timeCards: z.array(timeCardSchema) })
  .loose()
  .meta({ id: 'TimeCardList' });

export const timeCardActivationSchema = z
  .object({ timeCardId: z.string(), lotId: z.string(), seconds: z.int(), expiresAt: isoDate })
  .loose()
  .meta({ id: 'TimeCardActivation' });

export const billingAccountSchema = z
  .object({
    stripeAccountId: z.string().nullable(),
    chargesEnabled: z.boolean(),
    payoutsEnabled: z.boolean(),
    detailsSubmitted: z.boolean(),
    currency: z.string(),
    platformFeePercent: z.number(),
    salesOpen: z.boolean(),
    reason: z.string().nullable().meta({ description: 'Why the tenant cannot sell, when it cannot.' }),
    requirementsDue: z.array(z.string()),
  })
  .loose()
  .meta({ id: 'BillingAccount' });

export const onboardingLinkSchema = z.object({ url: z.string(), expiresAt: isoDate }).loose().meta({ id: 'OnboardingLink' });

export const reportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    usage: z.array(z.object({ date: z.string(), sessions: z.int(), usageSeconds: z.int(), purchasesPaid: z.int() }).loose()),
    revenue: z.array(
      z
        .object({
          date: z.string(),
          currency: z.string(),
          grossCents: z.int(),
          platformFeeCents: z.int(),
          netCents: z.int(),
          refundedCents: z.int(),
        })
        .loose(),
    ),
    packages: z.array(
      z.object({ packageId: z.string(), packageName: z.string(), currency: z.string(), purchases: z.int(), grossCents: z.int() }).loose(),
    ),
  })
  .loose()
  .meta({ id: 'Report' });

export const stripeWebhookAckSchema = z
  .object({
    received: z.literal(true),
    outcome: z.enum(['applied', 'unchanged', 'duplicate', 'ignored']).meta({
      description:
        'applied: the event changed something; unchanged: the state already said what it says, or something later (see reason); duplicate: this event id was processed before; ignored: it does not apply here (see reason)',
    }),
    reason: z.string().optional(),
    tenant: z.string().optional(),
  })
  .loose()
  .meta({ id: 'StripeWebhookAck' });

export const timeCardActivateRequestSchema = z
  .object({ code: z.string().min(1).max(40) })
  .strict()
  .meta({ id: 'TimeCardActivateRequest' });

export const historyQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    before: z
      .string()
      .regex(/^led_[0-9a-z]{26}$/, 'must be a ledger entry id')
      .optional(),
  })
  .strict();

const day = z.iso.date('must be a date such as 2026-01-31');

export const reportQuerySchema = z
  .object({
    from: day,
    to: day,
    format: z.enum(['json', 'csv']).default('json'),
    /** For CSV, which table: usage (sessions and minutes), revenue, or packages (popularity). */
    view: z.enum(['usage', 'revenue', 'packages']).default('usage'),
  })
  .strict();

/** The most rows one page of the per-user report holds; more come with `cursor`. */
export const USER_REPORT_MAX_ROWS = 1000;

export const userReportQuerySchema = z
  .object({
    from: day,
    to: day,
    format: z.enum(['json', 'csv']).default('json'),
    limit: z.coerce.number().int().min(1).max(USER_REPORT_MAX_ROWS).default(USER_REPORT_MAX_ROWS).meta({ description: 'Users per page.' }),
    cursor: z
      .string()
      .regex(/^[0-9]{1,9}$/, 'must be the nextCursor of a previous page')
      .optional()
      .meta({ description: 'The `nextCursor` of the previous page (CSV: its `X-Next-Cursor` header).' }),
  })
  .strict();

export const userReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    users: z.array(
      z
        .object({
          userId: z.string(),
          email: z.string().nullable().meta({ description: 'Null when the user no longer exists.' }),
          sessions: z.int().meta({ description: 'Voice sessions started in the range.' }),
          seconds: z.int().meta({ description: 'Seconds the ledger charged in the range.' }),
          purchases: z.int().meta({ description: 'Purchases paid in the range.' }),
          revenueCents: z
            .int()
            .meta({ description: "What those purchases paid in the tenant's currency (gross, before the platform fee)." }),
          currency: z.string(),
        })
        .loose(),
    ),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last.' }),
  })
  .loose()
  .meta({
    id: 'UserReport',
    description: 'Per user, most seconds first; the sums over all pages equal the by-day report of the same range.',
  });

export const RESELLER_TENANTS_MAX_ROWS = 100;

export const resellerTenantsQuerySchema = z
  .object({
    from: day,
    to: day,
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(RESELLER_TENANTS_MAX_ROWS)
      .default(RESELLER_TENANTS_MAX_ROWS)
      .meta({ description: 'Tenants per page.' }),
    cursor: z
      .string()
      .regex(/^[a-z0-9-]{1,63}$/, 'must be the nextCursor of a previous page')
      .optional()
      .meta({ description: 'The `nextCursor` of the previous page.' }),
  })
  .strict();

export const resellerTenantListSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    tenants: z.array(
      z
        .object({
          slug: z.string(),
          displayName: z.string(),
          region: z.string(),
          status: z.string().meta({ description: 'active, suspended, provisioning or deprovisioning.' }),
          origin: z.string().meta({ description: "The tenant's base URL (its platform host)." }),
          consoleUrl: z.string(),
          sessions: z
            .int()
            .nullable()
            .meta({ description: 'Null when the tenant’s data is not in this region (its home region reports it).' }),
          seconds: z.int().nullable(),
          revenueCents: z.int().nullable().meta({ description: "Gross paid in the tenant's currency over the range." }),
          currency: z.string(),
        })
        .loose(),
    ),
    nextCursor: z.string().nullable(),
  })
  .loose()
  .meta({ id: 'ResellerTenantList', description: "The tenants whose manifest names the caller's tenant as `parentReseller`, by slug." });

const CURRENCIES = ['usd', 'eur', 'gbp', 'cad', 'aud', 'sgd', 'jpy'] as const;

/** The fields of a package as an admin writes them: prices in minor units (cents), time in seconds, within sane bounds. */
const packageFields = {
  name: z.string().trim().min(1).max(80),
  description: z.string().max(500),
  priceCents: z.int().min(50, 'must be at least 50 (Stripe minimum charge)').max(10_000_000, 'must be at most 10000000'),
  currency: z.enum(CURRENCIES),
  baseSeconds: z.int().min(60, 'must be at least 60 seconds').max(36_000_000, 'must be at most 10000 hours'),
  bonusSeconds: z.int().min(0).max(36_000_000, 'must be at most 10000 hours'),
  active: z.boolean(),
  sortOrder: z.int().min(0).max(10_000),
};

export const packageCreateRequestSchema = z
  .object({
    ...packageFields,
    description: packageFields.description.default(''),
    bonusSeconds: packageFields.bonusSeconds.default(0),
    active: packageFields.active.default(true),
    sortOrder: packageFields.sortOrder.default(0),
  })
  .strict()
  .meta({ id: 'PackageCreateRequest' });

/** A PATCH: only the fields sent change (no defaults here, or an edit would reset the others). */
export const packageUpdateRequestSchema = z
  .object(packageFields)
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field')
  .meta({ id: 'PackageUpdateRequest' });

export type Balance = z.output<typeof balanceSchema>;
export type Package = z.output<typeof packageSchema>;
export type Purchase = z.output<typeof purchaseSchema>;
export type HistoryPage = z.output<typeof historyPageSchema>;
export type TimeCard = z.output<typeof timeCardSchema>;
export type TimeCardActivation = z.output<typeof timeCardActivationSchema>;
export type VoiceSessionTranscript = z.output<typeof voiceSessionTranscriptSchema>;
export type VoiceSessionRecord = z.output<typeof voiceSessionRecordSchema>;
export type UserReport = z.output<typeof userReportSchema>;
export type ResellerTenantList = z.output<typeof resellerTenantListSchema>;
