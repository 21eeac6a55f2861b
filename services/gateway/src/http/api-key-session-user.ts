import { AppError } from '@mindbot/errors';
import { tenantHasUser } from '../data/tenant-lookups.js';
import type { TenantRecord } from '../data/tenant-registry.js';
import type { Caller } from './authenticate.js';
import type { RouteContext } from './route-context.js';

/**
 * What an API key must meet before it starts a voice session for `userId`, checked before billing
 * reserves anything: the user must be one of the tenant's users (an unknown id is a 404 naming it,
 * not billing's 402 no_minutes), and the key must be a live one. A test key (`mb_test_…`) cannot
 * spend minutes: there are no test balances to spend instead, so it is refused with a 403
 * (`reason: test_key`) after the checks that need no spending, so an integration can still try its
 * wiring with it. docs/adr/0031-api-keys.md.
 */
export async function checkApiKeySessionUser(
  ctx: RouteContext,
  tenant: Pick<TenantRecord, 'slug' | 'displayName'>,
  caller: Caller | undefined,
  userId: string,
): Promise<void> {
  if (!(await tenantHasUser(ctx.deps.tenants, tenant.slug, userId))) {
    throw new AppError('not_found', `${tenant.displayName} has no user "${userId}".`, { extensions: { reason: 'unknown_user', userId } });
  }
  if (caller?.kind === 'api_key' && caller.apiKey.environment === 'test') {
    throw new AppError('forbidden', 'A test API key cannot spend minutes: start voice sessions with a live key (mb_live_…).', {
      extensions: { reason: 'test_key' },
    });
  }
}
