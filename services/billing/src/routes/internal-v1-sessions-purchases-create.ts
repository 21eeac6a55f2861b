import { parseInput } from '@mindbot/errors';
import { purchaseCreateRequestSchema, purchaseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { buyPackageInCall, buyProblem } from '../domain/buy-package.js';
import { sessionCallerOf } from '../http/job-auth.js';
import { noCredential, problem } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { appUrlOf, tenantOf } from '../http/tenant-context.js';

/** The agent names a package only: a call's Checkout link is opened from the call, with no page to return to. */
const callPurchaseRequestSchema = purchaseCreateRequestSchema.pick({ packageId: true });

/**
 * POST /internal/v1/tenants/:tenant/sessions/:id/purchases — the agent starts a purchase for the
 * session's user (the start_purchase tool) while the call runs; asking again for the same package
 * in the same call answers the same purchase and Checkout link.
 */
export const internalV1SessionsPurchasesCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/internal/v1/tenants/:tenant/sessions/:id/purchases',
    operationId: 'createVoiceSessionPurchase',
    summary: "The agent starts a purchase for the session's user during the call: answers the Checkout URL.",
    auth: 'service',
    body: callPurchaseRequestSchema,
    responses: {
      201: { description: 'The purchase', schema: purchaseSchema },
      400: problem('Invalid input'),
      401: noCredential,
      404: problem('No such package'),
      409: problem('The session has ended, or the tenant cannot sell right now'),
      503: problem('Stripe unreachable; nothing was charged'),
    },
  },
  mount(router, ctx) {
    router.post('/internal/v1/tenants/:tenant/sessions/:id/purchases', ...ctx.job, async (req, res) => {
      const input = parseInput(callPurchaseRequestSchema, req.body);
      const tenant = tenantOf(res);
      const result = await buyPackageInCall(
        {
          platform: ctx.deps.platform,
          scope: ctx.deps.tenants.forTenant(tenant.slug),
          stripe: ctx.billing.stripe,
          logger: req.log,
          appUrl: appUrlOf(tenant, ctx.billing.appUrl),
          feePercent: tenant.platformFeePercent,
        },
        { session: sessionCallerOf(res), packageId: input.packageId },
      );
      if (!result.ok) throw buyProblem(result.failure, result.detail, tenant.displayName);
      res.status(201).json(result.value satisfies JsonAnswer<typeof purchaseSchema>);
    });
  },
};
