import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { WebhookDelivery, WebhookEndpoint } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { dateTime } from '../../app/format.js';
import { ErrorAlert, Loading } from '../../components/Alerts.js';
import type { MessageKey } from '../../i18n/index.js';

const DELIVERY_STATUS: Record<WebhookDelivery['status'], { label: MessageKey; badge: string }> = {
  succeeded: { label: 'deliverySucceeded', badge: 'ok' },
  failed: { label: 'deliveryFailed', badge: 'off' },
  skipped: { label: 'deliverySkipped', badge: 'off' },
};

/**
 * One endpoint: its URL, events and status; Send test event, Disable/Enable, and its delivery log
 * (newest first, refreshed every few seconds while open) with Replay on each delivery.
 */
export function EndpointCard({ endpoint, onNotice }: { endpoint: WebhookEndpoint; onNotice: (message: string) => void }) {
  const { api, t } = useConsole();
  const queries = useQueryClient();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const deliveriesKey = ['webhook-deliveries', endpoint.id];
  const deliveries = useQuery({
    queryKey: deliveriesKey,
    queryFn: () => api.webhookDeliveries(endpoint.id),
    enabled: open,
    refetchInterval: open ? 3_000 : false,
  });
  const headingId = `endpoint-${endpoint.id}`;
  const active = endpoint.status === 'active';

  const act = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(undefined);
    try {
      onNotice(await action());
      await queries.invalidateQueries({ queryKey: ['webhook-endpoints'] });
      await queries.invalidateQueries({ queryKey: deliveriesKey });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article className="card" aria-labelledby={headingId}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h3 id={headingId} style={{ margin: 0, overflowWrap: 'anywhere' }}>
          {endpoint.url} <span className={`badge ${active ? 'ok' : 'off'}`}>{active ? t('statusActive') : t('endpointDisabled')}</span>
        </h3>
        <div className="row">
          <button
            type="button"
            className="small"
            disabled={busy || !active}
            aria-label={t('endpointSendTestLabel', { url: endpoint.url })}
            onClick={() =>
              void act(async () => {
                const queued = await api.sendTestWebhook(endpoint.id);
                setOpen(true);
                return t('endpointTestQueued', { event: queued.eventId, url: endpoint.url });
              })
            }
          >
            {t('endpointSendTest')}
          </button>
          <button
            type="button"
            className={active ? 'small subtle-danger' : 'small'}
            disabled={busy}
            aria-label={t(active ? 'endpointDisableLabel' : 'endpointEnableLabel', { url: endpoint.url })}
            onClick={() =>
              void act(async () => {
                await api.setWebhookEndpointStatus(endpoint.id, active ? 'disabled' : 'active');
                return t(active ? 'endpointDisabledNotice' : 'endpointEnabledNotice', { url: endpoint.url });
              })
            }
          >
            {active ? t('endpointDisable') : t('endpointEnable')}
          </button>
        </div>
      </div>
      {endpoint.description && <p className="sub">{endpoint.description}</p>}
      <p className="sub">
        {t('endpointEvents')}: {endpoint.events.join(', ')}
        {endpoint.failureStreak > 0 && ` · ${t('failureStreak', { count: endpoint.failureStreak })}`}
        {endpoint.disabledReason && ` · ${endpoint.disabledReason}`}
      </p>
      <ErrorAlert error={error} />
      <button
        type="button"
        className="link small"
        aria-expanded={open}
        aria-label={t('deliveriesShowLabel', { url: endpoint.url })}
        onClick={() => setOpen(!open)}
      >
        {t('deliveriesShow')}
      </button>
      {open && (
        <section aria-label={t('deliveriesTitle', { url: endpoint.url })}>
          {deliveries.isPending && <Loading />}
          <ErrorAlert error={deliveries.error ?? undefined} />
          {deliveries.data && deliveries.data.deliveries.length === 0 && <p className="empty">{t('noDeliveries')}</p>}
          {deliveries.data && deliveries.data.deliveries.length > 0 && (
            <div className="table-wrap">
              <table aria-label={t('deliveriesTitle', { url: endpoint.url })}>
                <thead>
                  <tr>
                    <th scope="col">{t('colEvent')}</th>
                    <th scope="col" className="num">
                      {t('colAttempt')}
                    </th>
                    <th scope="col">{t('colStatus')}</th>
                    <th scope="col">{t('colResponse')}</th>
                    <th scope="col">{t('colWhen')}</th>
                    <th scope="col" className="actions-cell">
                      {t('actions')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {deliveries.data.deliveries.map((delivery) => {
                    const status = DELIVERY_STATUS[delivery.status];
                    return (
                      <tr key={delivery.id}>
                        <th scope="row">
                          <code>{delivery.eventType}</code>
                          <div className="sub">{delivery.eventId}</div>
                        </th>
                        <td className="num">{delivery.attempt}</td>
                        <td>
                          <span className={`badge ${status.badge}`}>{t(status.label)}</span>
                        </td>
                        <td>{delivery.responseStatus ?? delivery.error ?? ''}</td>
                        <td className="nowrap">{dateTime(delivery.createdAt, t('never'))}</td>
                        <td className="actions-cell">
                          <button
                            type="button"
                            className="small"
                            disabled={busy}
                            aria-label={t('deliveryReplayLabel', { event: delivery.eventType, attempt: delivery.attempt })}
                            onClick={() =>
                              void act(async () => {
                                await api.replayWebhookDelivery(delivery.id);
                                return t('deliveryReplayed', { event: delivery.eventType, url: endpoint.url });
                              })
                            }
                          >
                            {t('deliveryReplay')}
                          </button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </article>
  );
}
