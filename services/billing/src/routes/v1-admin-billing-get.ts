import { billingAccountSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { billingAccountOf } from '../domain/billing-account.js';
import { adminOnly, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/admin/billing — the tenant's Stripe account state: can it sell, and if not, why. */
export const v1AdminBillingGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/admin/billing',
    operationId: 'getBillingAccount',
    summary: "The tenant's Stripe account state: can it sell, and if not, why.",
    auth: 'admin',
    upstream: 'billing',
    responses: { 200: { description: 'The account state', schema: billingAccountSchema }, 401: signIn, 403: adminOnly },
  },
  mount(router, ctx) {
    router.get('/v1/admin/billing', ...ctx.admin, async (_req, res) => {
      const account = await billingAccountOf(ctx.deps.platform, tenantOf(res));
      res.json(account satisfies JsonAnswer<typeof billingAccountSchema>);
    });
  },
};
