import { z } from 'zod';

/** The environment of a service that sends mail: SMTP_URL (unset: the log) and MAIL_FROM (the address beside the tenant's name). */
export const mailEnv = {
  /** The SMTP server (`smtp://user:pass@host:587`, `smtps://…`); unset: messages are written to the log. */
  SMTP_URL: z
    .string()
    .optional()
    .transform((v) => (v?.trim() ? v.trim() : undefined))
    .pipe(z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional()),
  /** The sender address; the name beside it is the tenant's display name. */
  MAIL_FROM: z.email({ error: 'must be an email address such as no-reply@mindbot.example' }).default('no-reply@mindbot.localhost'),
};
