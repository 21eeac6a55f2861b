import type { TenantClients, TenantTransaction } from '@mindbot/db';
import type { Logger } from '@mindbot/logger';
import type { Mailer } from '@mindbot/mailer';
import { Counter, type Registry } from 'prom-client';
import type { MailBrand } from './brand.js';
import { preferencesOf, wants } from './data/notification-preferences.js';
import { renderMail } from './render-mail.js';
import { isOptional, type Notification } from './templates/notification-content.js';

/** A tenant's look and origin, for its mail; null for a tenant that is gone. */
export interface BrandSource {
  brandOf(tenant: string): Promise<MailBrand | null>;
}

/** The kinds sent by jobs (each once per key); password resets and invitations are sent at once by SSO. */
export type JobNotificationKind = 'low_balance' | 'minutes_expiring' | 'purchase_receipt';

export type SendOutcome = 'sent' | 'already_sent' | 'opted_out' | 'no_recipient' | 'nothing_to_say';

export interface SendRequest<K extends JobNotificationKind> {
  /** What caused the message (the outbox row, the lot and its expiry day): one message per key, ever. */
  key: string;
  kind: K;
  userId: string;
  /** What to say, read in the same transaction; null when the cause is gone (nothing is sent). */
  compose(tx: TenantTransaction, brand: MailBrand): Promise<Extract<Notification, { kind: K }> | null>;
}

/**
 * Sends a job's notification at most once per key, honouring the user's opt-out. The key is locked,
 * checked, the mail sent and the key recorded in one tenant transaction: a retry after a failed send
 * finds no record and sends; a retry after a successful one (or a second worker on the same job)
 * finds the record and sends nothing. The window left is a process dying between the SMTP server's
 * acceptance and the commit: the copy sent again carries the same Message-ID (onceKey), which
 * receiving systems drop as a duplicate (ADR 0058).
 */
export class NotificationSender {
  private readonly handled: Counter<'kind' | 'outcome'>;

  constructor(
    private readonly tenants: TenantClients,
    private readonly mailer: Mailer,
    private readonly brands: BrandSource,
    private readonly logger: Logger,
    /** The process's metrics registry: mindbot_notifications_total{kind,outcome} on /metrics. */
    registry?: Registry,
  ) {
    this.handled = new Counter({
      name: 'mindbot_notifications_total',
      help: 'Notification jobs handled, by kind and outcome (sent, already_sent, opted_out, no_recipient, nothing_to_say, failed: retried).',
      labelNames: ['kind', 'outcome'],
      registers: registry ? [registry] : [],
    });
  }

  async sendOnce<K extends JobNotificationKind>(tenant: string, request: SendRequest<K>): Promise<SendOutcome> {
    const brand = await this.brands.brandOf(tenant);
    if (!brand) return 'no_recipient';
    const outcome = await this.send(tenant, request, brand).catch((error: unknown) => {
      this.handled.inc({ kind: request.kind, outcome: 'failed' });
      throw error;
    });
    this.handled.inc({ kind: request.kind, outcome });
    this.logger.info({ tenantId: tenant, kind: request.kind, key: request.key, outcome }, 'notification handled');
    return outcome;
  }

  private send<K extends JobNotificationKind>(tenant: string, request: SendRequest<K>, brand: MailBrand): Promise<SendOutcome> {
    return this.tenants.forTenant(tenant).transaction(
      async (tx): Promise<SendOutcome> => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`notification:${request.key}`}, 0))`;
        if (await tx.sentNotification.findUnique({ where: { key: request.key }, select: { key: true } })) return 'already_sent';
        const user = await tx.user.findUnique({ where: { id: request.userId }, select: { email: true, status: true } });
        if (user?.status !== 'active') return 'no_recipient';
        if (isOptional(request.kind) && !wants(await preferencesOf(tx, request.userId), request.kind)) return 'opted_out';
        const notification = await request.compose(tx, brand);
        if (!notification) return 'nothing_to_say';
        await this.mailer.send({ ...(await renderMail(brand, user.email, notification)), onceKey: `${tenant}:${request.key}` });
        await tx.sentNotification.create({ data: { key: request.key, kind: request.kind, userId: request.userId } });
        return 'sent';
      },
      { timeoutMs: 60_000 },
    );
  }
}
