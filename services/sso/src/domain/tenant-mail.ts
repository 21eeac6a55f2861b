import type { MailMessage } from '@mindbot/mailer';
import { renderMail } from '@mindbot/notifications';

/** Who a tenant's mail comes from, how it looks and where its links lead: the tenant's name, branding, language and public origin. */
export interface MailingTenant {
  slug: string;
  displayName: string;
  /** e.g. https://voice.acme.example or http://acme.localhost:8080 */
  origin: string;
  /** The tenant's effective branding and language (manifest, console edits, defaults). */
  look: { logoUrl: string; primaryColor: string; accentColor: string; language: string };
}

/** The console page that accepts an invitation (the token is the only proof the invited person needs). */
export const acceptInviteUrl = (origin: string, token: string): string =>
  `${origin}/console/accept-invite?token=${encodeURIComponent(token)}`;
export const resetPasswordUrl = (origin: string, token: string): string =>
  `${origin}/console/reset-password?token=${encodeURIComponent(token)}`;

const brandOf = (tenant: MailingTenant) => ({ displayName: tenant.displayName, origin: tenant.origin, ...tenant.look });

/** The invitation in the tenant's branded template (@mindbot/notifications, ADR 0058). */
export function invitationMail(
  tenant: MailingTenant,
  invitation: { email: string; roles: readonly string[]; expiresAt: Date },
  token: string,
): Promise<MailMessage> {
  return renderMail(brandOf(tenant), invitation.email, {
    kind: 'invitation',
    roles: invitation.roles,
    acceptUrl: acceptInviteUrl(tenant.origin, token),
    expiresAt: invitation.expiresAt,
  });
}

/** The password-reset link in the tenant's branded template. */
export function passwordResetMail(tenant: MailingTenant, email: string, token: string, validMinutes: number): Promise<MailMessage> {
  return renderMail(brandOf(tenant), email, {
    kind: 'password_reset',
    email,
    resetUrl: resetPasswordUrl(tenant.origin, token),
    validMinutes,
  });
}
