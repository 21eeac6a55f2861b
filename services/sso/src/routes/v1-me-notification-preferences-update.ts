import { principalOf } from '@mindbot/auth';
import { parseInput } from '@mindbot/errors';
import { savePreferences } from '@mindbot/notifications';
import { notificationPreferencesSchema, notificationPreferencesUpdateSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { AppRoute } from '../http/route-context.js';
import { problem, signIn } from '../http/route-responses.js';
import { tenantOf } from '../http/tenant-context.js';

/** PATCH /v1/me/notification-preferences: the signed-in user turns optional mails on or off; what the body leaves out stays. */
export const v1MeNotificationPreferencesUpdate: AppRoute = {
  spec: {
    method: 'patch',
    path: '/v1/me/notification-preferences',
    operationId: 'updateNotificationPreferences',
    summary: 'Turn the optional mails (low balance, expiring minutes) on or off; what the body leaves out stays as it is.',
    auth: 'user',
    upstream: 'sso',
    body: notificationPreferencesUpdateSchema,
    responses: {
      200: { description: 'Your notification preferences now', schema: notificationPreferencesSchema },
      400: problem('Invalid body (an unknown field, a value that is not true or false, or nothing to change)'),
      401: signIn,
    },
  },
  mount(router, ctx) {
    router.patch('/v1/me/notification-preferences', ctx.signedIn, async (req, res) => {
      const patch = parseInput(notificationPreferencesUpdateSchema, req.body);
      const { userId } = principalOf(res);
      const saved = await ctx.deps.tenants.forTenant(tenantOf(res).slug).transaction((tx) =>
        savePreferences(
          tx,
          userId,
          {
            ...(patch.lowBalance === undefined ? {} : { lowBalance: patch.lowBalance }),
            ...(patch.minutesExpiring === undefined ? {} : { minutesExpiring: patch.minutesExpiring }),
          },
          new Date(),
        ),
      );
      res.json(saved satisfies JsonAnswer<typeof notificationPreferencesSchema>);
    });
  },
};
