import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ResellerTenant } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { count, minutes, money } from '../../app/format.js';
import { ErrorAlert, Loading } from '../../components/Alerts.js';
import { PageHeader } from '../../components/PageHeader.js';
import type { MessageKey } from '../../i18n/index.js';
import { DateRangeForm, lastDays } from './DateRangeForm.js';

const STATUS_LABELS: Record<string, MessageKey> = {
  active: 'tenantStatus_active',
  suspended: 'tenantStatus_suspended',
  provisioning: 'tenantStatus_provisioning',
  deprovisioning: 'tenantStatus_deprovisioning',
};

/** Whom this tenant sells to (GET /v1/reseller/tenants) and a single-use way into each one's console. */
export default function ResellersPage() {
  const { api, t } = useConsole();
  const [range, setRange] = useState(() => lastDays(30));
  const [opening, setOpening] = useState<string>();
  const [openError, setOpenError] = useState<unknown>();
  const tenants = useInfiniteQuery({
    queryKey: ['reseller-tenants', range],
    queryFn: ({ pageParam }) => api.resellerTenants(range.from, range.to, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const rows = tenants.data?.pages.flatMap((page) => page.tenants) ?? [];

  const statusLabel = (status: string) => {
    const key = STATUS_LABELS[status];
    return key ? t(key) : status;
  };

  const open = async (tenant: ResellerTenant) => {
    setOpenError(undefined);
    setOpening(tenant.slug);
    try {
      const { consoleUrl } = await api.resellerHandoff(tenant.slug);
      window.location.assign(consoleUrl);
    } catch (e) {
      setOpenError(e);
      setOpening(undefined);
    }
  };

  // A child whose data lives in another region has no figures here: its home region reports them.
  const figure = (tenant: ResellerTenant, value: number | null, show: (n: number) => string) =>
    value === null ? (
      <span className="muted" title={t('otherRegionLabel', { region: tenant.region })}>
        {t('otherRegion')}
      </span>
    ) : (
      show(value)
    );

  return (
    <>
      <PageHeader title={t('resellersTitle')} lead={t('resellersLead')} />
      <DateRangeForm range={range} onChange={setRange} />
      <ErrorAlert error={openError} />
      <section className="card" aria-labelledby="reseller-tenants-heading">
        <h2 id="reseller-tenants-heading">{t('resellerTenantsHeading')}</h2>
        {tenants.isPending && <Loading />}
        <ErrorAlert error={tenants.error ?? undefined} />
        {tenants.data && rows.length === 0 && <p className="empty">{t('noResellerTenants')}</p>}
        {rows.length > 0 && (
          <div className="table-wrap">
            <table aria-labelledby="reseller-tenants-heading">
              <thead>
                <tr>
                  <th scope="col">{t('colTenant')}</th>
                  <th scope="col">{t('colRegion')}</th>
                  <th scope="col">{t('colStatus')}</th>
                  <th scope="col" className="num">
                    {t('colSessions')}
                  </th>
                  <th scope="col" className="num">
                    {t('colMinutes')}
                  </th>
                  <th scope="col" className="num">
                    {t('colRevenue')}
                  </th>
                  <th scope="col" className="actions-cell">
                    {t('actions')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((tenant) => (
                  <tr key={tenant.slug}>
                    <th scope="row">
                      {tenant.displayName}
                      <div className="sub">
                        <code>{tenant.slug}</code>
                      </div>
                    </th>
                    <td>{tenant.region}</td>
                    <td>
                      <span className={`badge ${tenant.status === 'active' ? 'ok' : 'off'}`}>{statusLabel(tenant.status)}</span>
                    </td>
                    <td className="num">{figure(tenant, tenant.sessions, count)}</td>
                    <td className="num">{figure(tenant, tenant.seconds, minutes)}</td>
                    <td className="num">{figure(tenant, tenant.revenueCents, (cents) => money(cents, tenant.currency))}</td>
                    <td className="actions-cell">
                      <button
                        type="button"
                        className="small"
                        aria-label={t('openConsoleLabel', { name: tenant.displayName })}
                        disabled={opening !== undefined}
                        onClick={() => void open(tenant)}
                      >
                        {opening === tenant.slug ? t('openingConsole') : t('openConsole')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {tenants.hasNextPage && (
          <button type="button" disabled={tenants.isFetchingNextPage} onClick={() => void tenants.fetchNextPage()}>
            {t('loadMore')}
          </button>
        )}
      </section>
    </>
  );
}
