import type { TenantClients } from '@mindbot/db';
import type { WebhookNotices } from '@mindbot/jobs';
import type { Logger } from '@mindbot/logger';
import type { Mailer } from '@mindbot/mailer';
import type { BrandSource } from './notification-sender.js';
import { renderMail } from './render-mail.js';

/** The roles told about the tenant's integrations: those who can re-enable an endpoint. */
const ADMIN_ROLES = ['owner', 'admin'];

/**
 * The webhook deliverer's notices (ADR 0056) as branded mail to each active owner and admin of the
 * tenant, besides the log line. Called once per disabling, after it committed; a mail that fails is
 * logged and the others still go (the endpoint stays disabled and its audit entry says why).
 */
export function mailWebhookNotices(deps: { tenants: TenantClients; mailer: Mailer; brands: BrandSource; logger: Logger }): WebhookNotices {
  return async (notice) => {
    deps.logger.warn({ tenant: notice.tenant, endpointId: notice.endpointId, reason: notice.reason }, 'webhook endpoint disabled');
    const brand = await deps.brands.brandOf(notice.tenant);
    if (!brand) return;
    const admins = await deps.tenants.forTenant(notice.tenant).transaction(
      (tx) => tx.$queryRaw<{ email: string }[]>`
        SELECT DISTINCT u.email FROM users u
        JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
        WHERE r.name = ANY(${ADMIN_ROLES}) AND u.status = 'active' ORDER BY u.email`,
    );
    for (const { email } of admins) {
      try {
        await deps.mailer.send(
          await renderMail(brand, email, {
            kind: 'webhook_disabled',
            url: notice.url,
            reason: notice.reason,
            consoleUrl: `${brand.origin}/console/`,
          }),
        );
      } catch (error) {
        deps.logger.warn(
          { err: error, tenant: notice.tenant, endpointId: notice.endpointId },
          'could not mail an admin the endpoint-disabled notice',
        );
      }
    }
  };
}
