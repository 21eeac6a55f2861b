import { principalOf } from '@mindbot/auth';
import { preferencesOf } from '@mindbot/notifications';
import { notificationPreferencesSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** GET /v1/me/notification-preferences: which optional mails the signed-in user gets (both until turned off). */
export const v1MeNotificationPreferencesGet: AppRoute = {
  spec: {
    method: 'get',
    path: '/v1/me/notification-preferences',
    operationId: 'getNotificationPreferences',
    summary: 'Which optional mails you get: low balance and expiring minutes (receipts, password resets and invitations are always sent).',
    auth: 'user',
    upstream: 'sso',
    responses: { 200: { description: 'Your notification preferences', schema: notificationPreferencesSchema }, 401: signIn },
  },
  mount(router, ctx) {
    router.get('/v1/me/notification-preferences', ctx.signedIn, async (_req, res) => {
      const { userId } = principalOf(res);
      const preferences = await ctx.deps.tenants.forTenant(tenantOf(res).slug).transaction((tx) => preferencesOf(tx, userId));
      res.json(preferences satisfies JsonAnswer<typeof notificationPreferencesSchema>);
    });
  },
};
