import { createHash } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { headerText } from './header-text.js';
import type { Mailer } from './mailer.js';

/** Sends through the deployment's SMTP server (nodemailer: a connection per message, STARTTLS whenever the server offers it). */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = createTransport(smtpUrl);
  return {
    async send(message) {
      await transport.sendMail({
        from: { name: headerText(message.fromName), address: from },
        to: message.to,
        subject: headerText(message.subject),
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
        ...(message.onceKey === undefined ? {} : { messageId: onceMessageId(message.onceKey, from) }),
      });
    },
  };
}

/** The same Message-ID for every copy of one message: a hash of its cause, at the sender's domain. */
export function onceMessageId(onceKey: string, from: string): string {
  const domain = from.slice(from.lastIndexOf('@') + 1) || 'mindbot.localhost';
  return `<${createHash('sha256').update(onceKey).digest('hex').slice(0, 32)}@${domain}>`;
}
