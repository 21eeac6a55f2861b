import type { TenantTransaction } from '@mindbot/db';
import type { OptionalKind } from '../templates/notification-content.js';

/** A user's choice about the optional notifications; both are on until the user turns one off. */
export interface NotificationPreferences {
  lowBalance: boolean;
  minutesExpiring: boolean;
}

const DEFAULTS: NotificationPreferences = { lowBalance: true, minutesExpiring: true };

export async function preferencesOf(tx: TenantTransaction, userId: string): Promise<NotificationPreferences> {
  const row = await tx.notificationPreference.findUnique({ where: { userId }, select: { lowBalance: true, minutesExpiring: true } });
  return row ?? { ...DEFAULTS };
}

/** Saves what the patch names (the rest stays) and answers the preferences now in effect. */
export async function savePreferences(
  tx: TenantTransaction,
  userId: string,
  patch: Partial<NotificationPreferences>,
  now: Date,
): Promise<NotificationPreferences> {
  return tx.notificationPreference.upsert({
    where: { userId },
    create: { userId, ...DEFAULTS, ...patch, updatedAt: now },
    update: { ...patch, updatedAt: now },
    select: { lowBalance: true, minutesExpiring: true },
  });
}

export function wants(preferences: NotificationPreferences, kind: OptionalKind): boolean {
  return kind === 'low_balance' ? preferences.lowBalance : preferences.minutesExpiring;
}
