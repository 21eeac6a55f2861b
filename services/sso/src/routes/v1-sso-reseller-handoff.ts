import { principalOf } from '@mindbot/auth';
import { AppError, parseInput } from '@mindbot/errors';
import { resellerHandoffRequestSchema, resellerHandoffSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import { ownTenantAdmin, requestIdOf } from '../http/guards.js';
import type { AppRoute } from '../http/route-context.js';
import { problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';
import { SIGN_IN_CODE_TTL_SECONDS } from '../domain/sign-in-codes.js';

/** The child's console on the host the reseller reached the platform at: `<child>.<base domain>`, same scheme and port. */
function childConsoleUrl(publicOrigin: string, resellerSlug: string, child: string, code: string): string {
  const url = new URL(publicOrigin);
  const base = url.hostname.startsWith(`${resellerSlug}.`) ? url.hostname.slice(resellerSlug.length + 1) : url.hostname;
  url.hostname = `${child}.${base}`;
  url.pathname = '/console/handoff';
  url.hash = `code=${encodeURIComponent(code)}`;
  return url.toString();
}

/**
 * POST /v1/sso/reseller-handoff: an owner or admin of a reseller opens the console of a tenant it
 * sells to, signed in there with the `reseller` role. Any other tenant answers the same 404.
 */
export const v1SsoResellerHandoff: AppRoute = {
  spec: {
    method: 'post',
    path: '/v1/sso/reseller-handoff',
    operationId: 'openResellerChildConsole',
    summary:
      "Open the console of a tenant this reseller sells to (its manifest's parentReseller): a single-use link that signs you in there with the reseller role. Audited in both tenants.",
    auth: 'admin',
    upstream: 'sso',
    body: resellerHandoffRequestSchema,
    responses: {
      201: { description: "The child's console, with a single-use code in the link's fragment", schema: resellerHandoffSchema },
      400: problem('Invalid body'),
      401: signIn,
      403: problem('Not an owner or admin of this tenant, or blocked in the child tenant'),
      404: problem('Not a tenant this reseller sells to'),
      409: problem('The tenant is suspended or being deleted'),
      421: problem("The tenant's data lives in another region: open its console there"),
    },
  },
  mount(router, ctx) {
    router.post('/v1/sso/reseller-handoff', ...ownTenantAdmin(ctx.sso), async (req, res) => {
      const tenant = tenantOf(res);
      const input = parseInput(resellerHandoffRequestSchema, req.body);
      const opened = await ctx.sso.resellerHandoff.open(tenant.slug, principalOf(res).userId, input.tenant, requestIdOf(req));
      if (!opened.ok) {
        switch (opened.failure) {
          case 'not_a_child':
            throw new AppError('not_found', 'This reseller sells to no such tenant.');
          case 'elsewhere':
            throw new AppError('misdirected_request', "That tenant's data lives in another region: open its console there.");
          case 'not_active':
            throw new AppError('conflict', 'That tenant is suspended or being deleted.');
          case 'blocked':
            throw new AppError('forbidden', "That tenant's owners have blocked your account there.");
        }
      }
      res
        .status(201)
        .set('Cache-Control', 'no-store')
        .json({
          tenant: opened.value.tenant,
          consoleUrl: childConsoleUrl(tenant.publicOrigin, tenant.slug, opened.value.tenant, opened.value.code),
          expiresInSeconds: SIGN_IN_CODE_TTL_SECONDS,
        } satisfies JsonAnswer<typeof resellerHandoffSchema>);
    });
  },
};
