import type { MailMessage } from '@mindbot/mailer';

/** Who a tenant's mail comes from and where its links lead: the tenant's display name and public origin. */
export interface MailingTenant {
  slug: string;
  displayName: string;
  /** e.g. https://voice.acme.example or http://acme.localhost:8080 */
  origin: string;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function withLink(
  tenant: MailingTenant,
  to: string,
  subject: string,
  lines: { before: string[]; link: string; action: string; after: string[] },
) {
  const html = [
    ...lines.before.map((line) => `<p>${escapeHtml(line)}</p>`),
    `<p><a href="${escapeHtml(lines.link)}">${escapeHtml(lines.action)}</a></p>`,
    ...lines.after.map((line) => `<p>${escapeHtml(line)}</p>`),
  ].join('\n');
  const text = [...lines.before, '', `${lines.action}: ${lines.link}`, '', ...lines.after].join('\n');
  return { to, fromName: tenant.displayName, subject, text, html } satisfies MailMessage;
}

/** The console page that accepts an invitation (the token is the only proof the invited person needs). */
export const acceptInviteUrl = (origin: string, token: string): string =>
  `${origin}/console/accept-invite?token=${encodeURIComponent(token)}`;
export const resetPasswordUrl = (origin: string, token: string): string =>
  `${origin}/console/reset-password?token=${encodeURIComponent(token)}`;

export function invitationMail(
  tenant: MailingTenant,
  invitation: { email: string; roles: readonly string[]; expiresAt: Date },
  token: string,
) {
  return withLink(tenant, invitation.email, `You are invited to ${tenant.displayName}`, {
    before: [`You have been invited to ${tenant.displayName} as ${invitation.roles.join(', ')}.`],
    link: acceptInviteUrl(tenant.origin, token),
    action: 'Accept the invitation',
    after: [
      `The link works once and until ${invitation.expiresAt.toUTCString()}.`,
      'If you did not expect this invitation, ignore this message.',
    ],
  });
}

export function passwordResetMail(tenant: MailingTenant, email: string, token: string, validMinutes: number) {
  return withLink(tenant, email, `Reset your ${tenant.displayName} password`, {
    before: [`Someone asked to reset the password of ${email} at ${tenant.displayName}.`],
    link: resetPasswordUrl(tenant.origin, token),
    action: 'Choose a new password',
    after: [
      `The link works once, for ${validMinutes} minutes.`,
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ],
  });
}
