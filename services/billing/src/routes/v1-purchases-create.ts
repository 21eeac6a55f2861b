import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { forwardedOriginOf } from '@mindbot/http';
import { purchaseCreateRequestSchema, purchaseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { buyPackage, buyProblem } from '../domain/buy-package.js';
import { problem, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { requestKey } from '../http/schemas.js';
import { appUrlOf, isReturnUrlOf, tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/purchases — buys a package: answers the Checkout URL on the tenant's Stripe account.
 * An `Idempotency-Key` header makes retries answer the same purchase. A `returnUrl` (the page the
 * web widget is on) brings the buyer back there, when it is on one of the tenant's origins or its
 * `embedOrigins`; any other is refused before anything is created.
 */
export const v1PurchasesCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/purchases',
    operationId: 'createPurchase',
    summary: 'Buy a package: answers the Checkout URL. An `Idempotency-Key` header makes retries answer the same purchase.',
    auth: 'user',
    upstream: 'billing',
    body: purchaseCreateRequestSchema,
    responses: {
      201: { description: 'The purchase', schema: purchaseSchema },
      401: signIn,
      404: problem('No such package'),
      409: problem('The tenant cannot sell right now'),
      503: problem('Stripe unreachable; nothing was charged'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/purchases', ...ctx.user, async (req, res) => {
      const input = parseInput(purchaseCreateRequestSchema, req.body);
      const key = req.header('idempotency-key');
      const idempotencyKey = key === undefined ? null : parseInput(requestKey, key, 'body');
      const tenant = tenantOf(res);
      const origin = forwardedOriginOf(req);
      if (input.returnUrl !== undefined && !isReturnUrlOf(tenant, input.returnUrl, origin)) throw returnUrlRefused();
      const result = await buyPackage(
        {
          platform: ctx.deps.platform,
          scope: ctx.deps.tenants.forTenant(tenant.slug),
          stripe: ctx.billing.stripe,
          logger: req.log,
          appUrl: appUrlOf(tenant, ctx.billing.appUrl, origin),
          feePercent: tenant.platformFeePercent,
        },
        {
          userId: principalOf(res).userId,
          packageId: input.packageId,
          requestKey: idempotencyKey,
          ...(input.returnUrl === undefined ? {} : { returnUrl: input.returnUrl }),
        },
      );
      if (!result.ok) throw buyProblem(result.failure, result.detail, tenant.displayName);
      res.status(201).json(result.value satisfies JsonAnswer<typeof purchaseSchema>);
    });
  },
};

function returnUrlRefused(): AppError {
  return new AppError('validation_failed', 'The request body is invalid.', {
    errors: [
      {
        path: 'body.returnUrl',
        message: "must be on one of the tenant's own origins or one of the websites it lets embed its widget (embedOrigins)",
      },
    ],
  });
}
