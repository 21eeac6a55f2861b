import { AppError } from '@mindbot/errors';
import { forwardedOriginOf } from '@mindbot/http';
import { onboardingLinkSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { createOnboardingLink } from '../domain/onboarding-links.js';
import { changeBy } from '../http/change-by.js';
import { adminOnly, problem, signIn } from '../http/problem-answers.js';
import type { AppRoute } from '../http/route-context.js';
import { appUrlOf, tenantOf } from '../http/tenant-context.js';

/**
 * POST /v1/admin/billing/onboarding-link — a fresh Stripe Account Link for the tenant's onboarding.
 * Links are single-use and expire within minutes, so each request makes a new one (never cached),
 * each in the tenant's audit log.
 */
export const v1AdminOnboardingLinkCreate: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/admin/billing/onboarding-link',
    operationId: 'createOnboardingLink',
    summary: "A fresh, single-use Stripe onboarding link for the tenant's account.",
    auth: 'admin',
    upstream: 'billing',
    responses: {
      201: { description: 'The link (single-use, expires within minutes)', schema: onboardingLinkSchema },
      401: signIn,
      403: adminOnly,
      409: problem('No open Stripe account yet'),
      503: problem('Stripe unreachable'),
    },
  },
  mount(router, ctx) {
    router.post('/v1/admin/billing/onboarding-link', ...ctx.admin, async (req, res) => {
      const tenant = tenantOf(res);
      const result = await createOnboardingLink(
        { platform: ctx.deps.platform, tenants: ctx.deps.tenants, stripe: ctx.billing.stripe, logger: req.log },
        { tenantSlug: tenant.slug, appUrl: () => appUrlOf(tenant, ctx.billing.appUrl, forwardedOriginOf(req)), by: changeBy(req, res) },
      );
      if (!result.ok) {
        if (result.failure === 'no_open_account')
          throw new AppError('conflict', 'This tenant has no open Stripe account yet; billing provisioning has not run.');
        throw new AppError('unavailable', 'Stripe could not be reached; try again.', { headers: { 'Retry-After': '5' } });
      }
      res.set('Cache-Control', 'no-store');
      res.status(201).json(result.value satisfies JsonAnswer<typeof onboardingLinkSchema>);
    });
  },
};
