import type { Logger } from '@mindbot/logger';
import { logMailer } from './log-mailer.js';
import { smtpMailer } from './smtp-mailer.js';

/** One message to one person, sent in a tenant's name. */
export interface MailMessage {
  to: string;
  /** The name the recipient sees as the sender: the tenant's display name (`"Acme Voice" <no-reply@…>`). */
  fromName: string;
  subject: string;
  text: string;
  html?: string | undefined;
  /**
   * What caused the message, when it must reach the user once (a notification job's key): it fixes
   * the Message-ID, so a copy sent again after a crash between the SMTP server's acceptance and the
   * sender's record is the same message to the receiving systems, which drop it as a duplicate.
   */
  onceKey?: string | undefined;
}

export interface Mailer {
  /** Resolves once the SMTP server accepted the message; rejects when it did not. */
  send(message: MailMessage): Promise<void>;
}

export interface MailerOptions {
  /** `smtp://user:pass@host:587` or `smtps://…`; without it messages are written to the log instead. */
  smtpUrl?: string | undefined;
  /** The sender's address; the name beside it is each message's `fromName`. */
  from: string;
  /**
   * Without SMTP, whether the log shows each message's text (its links included). On in
   * development, so `npm start` hands out invitation and reset links; off in production, where a
   * log is no place for sign-in secrets.
   */
  logContent?: boolean;
}

/** SMTP when the deployment configures it; otherwise a mailer that says so and writes each message to the log. */
export function createMailer(options: MailerOptions, logger: Logger): Mailer {
  if (options.smtpUrl) return smtpMailer(options.smtpUrl, options.from);
  logger.info({ from: options.from }, 'SMTP is not configured (SMTP_URL): email is written to this log instead of being sent');
  return logMailer(logger, options.logContent ?? true);
}
