import type { NotificationLanguage } from './brand.js';

/** What each notification says, per language; `{name}` placeholders are filled by {@link fill}. */
export interface MessageCatalogue {
  greeting: string;
  footer: string;
  optionalFooter: string;
  lowBalance: { subject: string; body: string; action: string };
  minutesExpiring: { subject: string; body: string; action: string };
  purchaseReceipt: { subject: string; body: string; codeLabel: string; amountLabel: string; timeLabel: string; howTo: string };
  passwordReset: { subject: string; body: string; action: string; validity: string; ignore: string };
  invitation: { subject: string; body: string; action: string; validity: string; ignore: string };
  webhookDisabled: { subject: string; body: string; reason: string; action: string; after: string };
}

const en: MessageCatalogue = {
  greeting: 'Hello,',
  footer: 'This message was sent by {tenant}.',
  optionalFooter: 'You can turn these messages off in your notification settings.',
  lowBalance: {
    subject: 'Your {tenant} talk time is running low',
    body: 'You have {time} of talk time left. Top up so your next conversation is not cut short.',
    action: 'Buy more time',
  },
  minutesExpiring: {
    subject: 'Your {tenant} talk time expires soon',
    body: '{time} of your talk time expires on {date}. Use it before then.',
    action: 'Start a conversation',
  },
  purchaseReceipt: {
    subject: 'Your {tenant} receipt: {package}',
    body: 'Thank you for your purchase of {package}.',
    codeLabel: 'Activation code',
    amountLabel: 'Amount paid',
    timeLabel: 'Talk time',
    howTo: 'Enter the activation code in {tenant} to add the time to your balance. The code works until {date}.',
  },
  passwordReset: {
    subject: 'Reset your {tenant} password',
    body: 'Someone asked to reset the password of {email} at {tenant}.',
    action: 'Choose a new password',
    validity: 'The link works once, for {minutes} minutes.',
    ignore: 'If you did not ask for this, ignore this message: your password stays as it is.',
  },
  invitation: {
    subject: 'You are invited to {tenant}',
    body: 'You have been invited to {tenant} as {roles}.',
    action: 'Accept the invitation',
    validity: 'The link works once and until {date}.',
    ignore: 'If you did not expect this invitation, ignore this message.',
  },
  webhookDisabled: {
    subject: 'A {tenant} webhook endpoint was disabled',
    body: 'Deliveries to {url} kept failing, so the endpoint was disabled and receives no more events.',
    reason: 'Reason: {reason}',
    action: 'Open the console',
    after: 'Fix the receiver, enable the endpoint again and replay what it missed from its delivery log.',
  },
};

const de: MessageCatalogue = {
  greeting: 'Hallo,',
  footer: 'Diese Nachricht wurde von {tenant} gesendet.',
  optionalFooter: 'Sie können diese Nachrichten in Ihren Benachrichtigungseinstellungen abschalten.',
  lowBalance: {
    subject: 'Ihr Gesprächsguthaben bei {tenant} geht zur Neige',
    body: 'Sie haben noch {time} Gesprächszeit. Laden Sie auf, damit Ihr nächstes Gespräch nicht abbricht.',
    action: 'Zeit nachkaufen',
  },
  minutesExpiring: {
    subject: 'Ihr Gesprächsguthaben bei {tenant} verfällt bald',
    body: '{time} Ihrer Gesprächszeit verfallen am {date}. Nutzen Sie sie bis dahin.',
    action: 'Gespräch beginnen',
  },
  purchaseReceipt: {
    subject: 'Ihre Quittung von {tenant}: {package}',
    body: 'Vielen Dank für Ihren Kauf von {package}.',
    codeLabel: 'Aktivierungscode',
    amountLabel: 'Bezahlter Betrag',
    timeLabel: 'Gesprächszeit',
    howTo: 'Geben Sie den Aktivierungscode bei {tenant} ein, um die Zeit Ihrem Guthaben gutzuschreiben. Der Code gilt bis {date}.',
  },
  passwordReset: {
    subject: 'Ihr Passwort bei {tenant} zurücksetzen',
    body: 'Jemand hat angefordert, das Passwort von {email} bei {tenant} zurückzusetzen.',
    action: 'Neues Passwort wählen',
    validity: 'Der Link funktioniert einmal, {minutes} Minuten lang.',
    ignore: 'Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.',
  },
  invitation: {
    subject: 'Sie sind zu {tenant} eingeladen',
    body: 'Sie wurden zu {tenant} eingeladen als {roles}.',
    action: 'Einladung annehmen',
    validity: 'Der Link funktioniert einmal und bis {date}.',
    ignore: 'Wenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese Nachricht.',
  },
  webhookDisabled: {
    subject: 'Ein Webhook-Endpunkt von {tenant} wurde deaktiviert',
    body: 'Zustellungen an {url} sind wiederholt fehlgeschlagen; der Endpunkt wurde deaktiviert und erhält keine Ereignisse mehr.',
    reason: 'Grund: {reason}',
    action: 'Konsole öffnen',
    after:
      'Beheben Sie den Empfänger, aktivieren Sie den Endpunkt wieder und spielen Sie das Verpasste aus seinem Zustellprotokoll erneut ab.',
  },
};

export const CATALOGUES: Record<NotificationLanguage, MessageCatalogue> = { en, de };

/** Fills `{name}` placeholders; an unknown name stays as written (a catalogue bug shows, rather than vanishing). */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** `1 h 5 min`, `3 min`, `45 s`: talk time as people read it (units are the same in English and German). */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  if (m > 0) return `${m} min`;
  return `${Math.max(0, seconds)} s`;
}

export function formatDate(date: Date, language: NotificationLanguage): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

export function formatMoney(minorUnits: number, currency: string, language: NotificationLanguage): string {
  const format = new Intl.NumberFormat(language, { style: 'currency', currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minorUnits / 10 ** digits);
}
