import type { Logger } from '@mindbot/logger';
import { headerText } from './header-text.js';
import type { Mailer } from './mailer.js';

/** Without SMTP: each message goes to the log (its text only when `logContent`), with a word that it was not sent. */
export function logMailer(logger: Logger, logContent: boolean): Mailer {
  return {
    send(message) {
      const mail = { fromName: headerText(message.fromName), subject: headerText(message.subject) };
      if (logContent)
        logger.info(
          { mail: { to: message.to, ...mail, text: message.text } },
          'SMTP is not configured: this message was not sent; it is here in the log',
        );
      // The recipient is personal data: under `pii`, which the log redacts.
      else logger.warn({ mail, pii: { to: message.to } }, 'SMTP is not configured (SMTP_URL): this message was not sent');
      return Promise.resolve();
    },
  };
}
