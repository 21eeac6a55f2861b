/** The languages notifications are written in: the ones the widget speaks (web/widget/src/i18n). */
export const NOTIFICATION_LANGUAGES = ['en', 'de'] as const;
export type NotificationLanguage = (typeof NOTIFICATION_LANGUAGES)[number];

/** How a tenant's mail looks and who it comes from: its name, logo, colours, language and public origin. */
export interface MailBrand {
  /** The sender's display name and the name in every message. */
  displayName: string;
  /** An absolute URL, or '' for none (the name is shown instead). */
  logoUrl: string;
  primaryColor: string;
  accentColor: string;
  /** A BCP 47 tag as the tenant sets it (`de`, `de-AT`, `en-US`); see {@link languageOf}. */
  language: string;
  /** Where links lead, e.g. https://voice.acme.example */
  origin: string;
}

/** The tenant's language if we write it, else English: `de-AT` → `de`, `fr` → `en`. */
export function languageOf(tag: string): NotificationLanguage {
  const primary = tag.toLowerCase().split(/[-_]/)[0] ?? '';
  return (NOTIFICATION_LANGUAGES as readonly string[]).includes(primary) ? (primary as NotificationLanguage) : 'en';
}

const HEX_COLOUR = /^#[0-9a-f]{3}([0-9a-f]{3})?$/i;

/** A colour as CSS gets it: a hex colour the tenant set, else the fallback (nothing else reaches a style attribute). */
export function safeColour(colour: string, fallback: string): string {
  return HEX_COLOUR.test(colour) ? colour : fallback;
}

/** A logo only over https (or http on loopback in development); anything else is left out. */
export function safeLogoUrl(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:') return parsed.href;
    if (parsed.protocol === 'http:' && /^(localhost|127\.0\.0\.1|.*\.localhost)$/.test(parsed.hostname)) return parsed.href;
    return null;
  } catch {
    return null;
  }
}
