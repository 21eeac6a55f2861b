import type { Logger } from '@mindbot/logger';

/** What the tenant's admins are told when an endpoint is disabled. */
export interface EndpointDisabledNotice {
  tenant: string;
  endpointId: string;
  url: string;
  reason: string;
}

/**
 * Where notices go. Today: the log. The notifications part of issue 15 (branded email to the
 * tenant's admins) replaces this with a sender that emails them; nothing else changes.
 */
export type WebhookNotices = (notice: EndpointDisabledNotice) => Promise<void>;

export function logNotices(logger: Logger): WebhookNotices {
  return (notice) => {
    logger.warn({ tenant: notice.tenant, endpointId: notice.endpointId, reason: notice.reason }, 'webhook endpoint disabled');
    return Promise.resolve();
  };
}
