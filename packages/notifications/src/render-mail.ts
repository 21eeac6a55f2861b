import { render } from '@react-email/render';
import type { MailMessage } from '@mindbot/mailer';
import { languageOf, type MailBrand } from './brand.js';
import { brandedLayout } from './templates/branded-layout.js';
import { contentOf, type Notification } from './templates/notification-content.js';

/** The plain-text part: links as `label url` (no brackets around the URL, which mail clients would take into the link), no logo. */
const PLAIN_TEXT = {
  selectors: [
    { selector: 'a', options: { linkBrackets: false } },
    { selector: 'img', format: 'skip' },
  ],
};

/**
 * A notification as mail to one person: in the tenant's language, with its logo and colours
 * (React Email renders the HTML and the plain-text part), sent in the tenant's name.
 */
export async function renderMail(brand: MailBrand, to: string, notification: Notification): Promise<MailMessage> {
  const language = languageOf(brand.language);
  const content = contentOf(notification, brand.displayName, language);
  const element = brandedLayout(brand, language, content);
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true, htmlToTextOptions: PLAIN_TEXT })]);
  return { to, fromName: brand.displayName, subject: content.subject, html, text };
}
