import type { NotificationLanguage } from '../brand.js';
import { CATALOGUES, fill, formatDate, formatDuration, formatMoney } from '../messages.js';
import type { MessageContent } from './branded-layout.js';

/** Every notification, with what it needs to say. `optional` ones can be turned off by the user. */
export type Notification =
  | { kind: 'low_balance'; secondsAvailable: number; buyUrl: string }
  | { kind: 'minutes_expiring'; seconds: number; expiresAt: Date; startUrl: string }
  | {
      kind: 'purchase_receipt';
      packageName: string;
      amountCents: number;
      currency: string;
      seconds: number;
      activationCode: string;
      codeExpiresAt: Date;
    }
  | { kind: 'password_reset'; email: string; resetUrl: string; validMinutes: number }
  | { kind: 'invitation'; roles: readonly string[]; acceptUrl: string; expiresAt: Date }
  | { kind: 'webhook_disabled'; url: string; reason: string; consoleUrl: string };

export type NotificationKind = Notification['kind'];
/** The kinds a user may turn off; receipts, password resets and invitations are always sent. */
export const OPTIONAL_KINDS = ['low_balance', 'minutes_expiring'] as const satisfies readonly NotificationKind[];
export type OptionalKind = (typeof OPTIONAL_KINDS)[number];

export function isOptional(kind: NotificationKind): kind is OptionalKind {
  return (OPTIONAL_KINDS as readonly string[]).includes(kind);
}

/** The words of a notification in a language, with the tenant's name in them. */
export function contentOf(notification: Notification, tenant: string, language: NotificationLanguage): MessageContent {
  const c = CATALOGUES[language];
  const footer = [fill(c.footer, { tenant }), ...(isOptional(notification.kind) ? [c.optionalFooter] : [])];
  const base = { greeting: c.greeting, footer };
  switch (notification.kind) {
    case 'low_balance': {
      const m = c.lowBalance;
      const body = fill(m.body, { time: formatDuration(notification.secondsAvailable) });
      return {
        ...base,
        subject: fill(m.subject, { tenant }),
        preview: body,
        paragraphs: [body],
        action: { label: m.action, url: notification.buyUrl },
        after: [],
      };
    }
    case 'minutes_expiring': {
      const m = c.minutesExpiring;
      const body = fill(m.body, { time: formatDuration(notification.seconds), date: formatDate(notification.expiresAt, language) });
      return {
        ...base,
        subject: fill(m.subject, { tenant }),
        preview: body,
        paragraphs: [body],
        action: { label: m.action, url: notification.startUrl },
        after: [],
      };
    }
    case 'purchase_receipt': {
      const m = c.purchaseReceipt;
      const body = fill(m.body, { package: notification.packageName });
      return {
        ...base,
        subject: fill(m.subject, { tenant, package: notification.packageName }),
        preview: body,
        paragraphs: [body],
        code: { label: m.codeLabel, value: notification.activationCode },
        facts: [
          [m.amountLabel, formatMoney(notification.amountCents, notification.currency, language)],
          [m.timeLabel, formatDuration(notification.seconds)],
        ],
        after: [fill(m.howTo, { tenant, date: formatDate(notification.codeExpiresAt, language) })],
      };
    }
    case 'password_reset': {
      const m = c.passwordReset;
      const body = fill(m.body, { tenant, email: notification.email });
      return {
        ...base,
        subject: fill(m.subject, { tenant }),
        preview: body,
        paragraphs: [body],
        action: { label: m.action, url: notification.resetUrl },
        after: [fill(m.validity, { minutes: String(notification.validMinutes) }), m.ignore],
      };
    }
    case 'webhook_disabled': {
      const m = c.webhookDisabled;
      const body = fill(m.body, { url: notification.url });
      return {
        ...base,
        subject: fill(m.subject, { tenant }),
        preview: body,
        paragraphs: [body, fill(m.reason, { reason: notification.reason })],
        action: { label: m.action, url: notification.consoleUrl },
        after: [m.after],
      };
    }
    case 'invitation': {
      const m = c.invitation;
      const body = fill(m.body, { tenant, roles: notification.roles.join(', ') });
      return {
        ...base,
        subject: fill(m.subject, { tenant }),
        preview: body,
        paragraphs: [body],
        action: { label: m.action, url: notification.acceptUrl },
        after: [fill(m.validity, { date: formatDate(notification.expiresAt, language) }), m.ignore],
      };
    }
  }
}
