import { z } from 'zod';

/**
 * A user's choice of the optional notifications (docs/notifications.md). Receipts, password resets
 * and invitations are always sent and have no switch.
 */
export const notificationPreferencesSchema = z
  .object({
    lowBalance: z
      .boolean()
      .meta({ description: 'Mail when your talk time falls to the level at which the agent warns (once per conversation).' }),
    minutesExpiring: z.boolean().meta({ description: 'Mail when unused talk time expires within 7 days.' }),
  })
  .meta({ id: 'NotificationPreferences' });

export const notificationPreferencesUpdateSchema = z
  .object({
    lowBalance: z.boolean({ error: 'must be true or false' }).optional(),
    minutesExpiring: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .strict()
  .refine((patch) => patch.lowBalance !== undefined || patch.minutesExpiring !== undefined, {
    message: 'must name lowBalance or minutesExpiring',
  })
  .meta({ id: 'NotificationPreferencesUpdate' });

export type NotificationPreferencesView = z.output<typeof notificationPreferencesSchema>;
