import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReportCsv } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { count, isoDay, minutes, money } from '../../app/format.js';
import { ErrorAlert, Loading } from '../../components/Alerts.js';
import { PageHeader } from '../../components/PageHeader.js';
import type { MessageKey } from '../../i18n/index.js';
import { DayChart } from './DayChart.js';
import { dailySeries, mainCurrency, totalsOf } from './report-series.js';

const CSV_VIEWS: readonly ReportCsv[] = ['usage', 'revenue', 'packages', 'users'];

function lastDays(days: number): { from: string; to: string } {
  const to = new Date();
  return { from: isoDay(new Date(to.getTime() - (days - 1) * 86_400_000)), to: isoDay(to) };
}

/** Usage and revenue by day (GET /v1/admin/reports), per user (…/reports/users), and the CSV downloads. */
export default function UsagePage() {
  const { api, t } = useConsole();
  const [range, setRange] = useState(() => lastDays(30));
  const [draft, setDraft] = useState(range);
  const [downloadError, setDownloadError] = useState<unknown>();
  const report = useQuery({ queryKey: ['report', range], queryFn: () => api.report(range.from, range.to) });
  const users = useQuery({ queryKey: ['user-report', range], queryFn: () => api.userReport(range.from, range.to) });
  const account = useQuery({ queryKey: ['billing-account'], queryFn: () => api.billingAccount() });
  const currency = report.data ? mainCurrency(report.data, account.data?.currency ?? 'usd') : (account.data?.currency ?? 'usd');
  const points = report.data ? dailySeries(report.data, currency) : [];
  const totals = totalsOf(points);
  const rangeInvalid = draft.from > draft.to;

  const download = async (view: ReportCsv) => {
    setDownloadError(undefined);
    try {
      const { name, blob } = await api.reportCsv(view, range.from, range.to);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setDownloadError(e);
    }
  };

  const summary = (title: string, total: string) => t('chartSummary', { title, total, from: range.from, to: range.to });
  const stats: [MessageKey, string][] = [
    ['totalMinutes', minutes(totals.minutes * 60)],
    ['totalSessions', count(totals.sessions)],
    ['totalPurchases', count(totals.purchases)],
    ['totalRevenue', money(totals.revenueCents, currency)],
  ];

  return (
    <>
      <PageHeader title={t('usageTitle')} lead={t('usageLead')} />
      <form
        className="card row"
        aria-label={t('showRange')}
        onSubmit={(e) => {
          e.preventDefault();
          if (!rangeInvalid) setRange(draft);
        }}
      >
        <label htmlFor="from">{t('from')}</label>
        <input
          id="from"
          type="date"
          value={draft.from}
          onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          style={{ width: 'auto' }}
        />
        <label htmlFor="to">{t('to')}</label>
        <input
          id="to"
          type="date"
          value={draft.to}
          onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          style={{ width: 'auto' }}
        />
        <button type="submit" className="primary" disabled={rangeInvalid}>
          {t('showRange')}
        </button>
        {[7, 30, 90].map((days) => (
          <button
            key={days}
            type="button"
            onClick={() => {
              const next = lastDays(days);
              setDraft(next);
              setRange(next);
            }}
          >
            {t('lastDays', { days })}
          </button>
        ))}
        {rangeInvalid && (
          <p role="alert" className="field-error">
            {t('rangeInvalid')}
          </p>
        )}
      </form>
      {report.isPending && <Loading />}
      <ErrorAlert error={report.error ?? undefined} />
      {report.data && (
        <>
          <div className="stats">
            {stats.map(([label, value]) => (
              <div key={label} className="stat">
                <p className="stat-label">{t(label)}</p>
                <p className="stat-value">{value}</p>
              </div>
            ))}
          </div>
          <div className="charts">
            <DayChart
              title={t('chartMinutes')}
              summary={summary(t('chartMinutes'), minutes(totals.minutes * 60))}
              points={points}
              measure="minutes"
              format={(v) => count(v)}
            />
            <DayChart
              title={t('chartSessions')}
              summary={summary(t('chartSessions'), count(totals.sessions))}
              points={points}
              measure="sessions"
              format={(v) => count(v)}
            />
            <DayChart
              title={t('chartPurchases')}
              summary={summary(t('chartPurchases'), count(totals.purchases))}
              points={points}
              measure="purchases"
              format={(v) => count(v)}
            />
            <DayChart
              title={`${t('chartRevenue')} (${currency.toUpperCase()})`}
              summary={summary(t('chartRevenue'), money(totals.revenueCents, currency))}
              points={points}
              measure="revenueCents"
              format={(v) => money(v, currency)}
            />
          </div>
        </>
      )}
      <section className="card" aria-labelledby="downloads-heading">
        <h2 id="downloads-heading">{t('downloads')}</h2>
        <div className="row">
          {CSV_VIEWS.map((view) => (
            <button key={view} type="button" onClick={() => void download(view)}>
              {t('downloadCsv', { what: t(`csv_${view}`) })}
            </button>
          ))}
        </div>
        <ErrorAlert error={downloadError} />
      </section>
      <section className="card" aria-labelledby="per-user-heading">
        <h2 id="per-user-heading">{t('perUserTitle')}</h2>
        {users.isPending && <Loading />}
        <ErrorAlert error={users.error ?? undefined} />
        {users.data && users.data.users.length === 0 && <p className="empty">{t('noUsage')}</p>}
        {users.data && users.data.users.length > 0 && (
          <div className="table-wrap">
            <table aria-labelledby="per-user-heading">
              <thead>
                <tr>
                  <th scope="col">{t('colUser')}</th>
                  <th scope="col" className="num">
                    {t('colSessions')}
                  </th>
                  <th scope="col" className="num">
                    {t('colMinutes')}
                  </th>
                  <th scope="col" className="num">
                    {t('colPurchases')}
                  </th>
                  <th scope="col" className="num">
                    {t('colRevenue')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.users.map((row) => (
                  <tr key={row.userId}>
                    <th scope="row">{row.email ?? row.userId}</th>
                    <td className="num">{count(row.sessions)}</td>
                    <td className="num">{minutes(row.seconds)}</td>
                    <td className="num">{count(row.purchases)}</td>
                    <td className="num">{money(row.revenueCents, row.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
