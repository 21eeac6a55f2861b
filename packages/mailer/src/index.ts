export { createMailer, type Mailer, type MailMessage, type MailerOptions } from './mailer.js';
export { mailEnv } from './mail-env.js';
