import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { useConsole } from '../../app/context.js';
import { dateTime } from '../../app/format.js';
import { ErrorAlert, Loading } from '../../components/Alerts.js';
import { Field } from '../../components/Field.js';
import { PageHeader } from '../../components/PageHeader.js';
import { actionError, actorOf, auditFiltersOf, detailsOf, EMPTY_AUDIT_FORM, type AuditForm } from './audit-filters.js';

/** The tenant's audit log (GET /v1/audit-events): filtered, a page at a time, and the same entries as CSV. */
export default function AuditLogPage() {
  const { api, t } = useConsole();
  const [draft, setDraft] = useState<AuditForm>(EMPTY_AUDIT_FORM);
  const [applied, setApplied] = useState<AuditForm>(EMPTY_AUDIT_FORM);
  const [downloadError, setDownloadError] = useState<unknown>();
  const filters = auditFiltersOf(applied);
  const log = useInfiniteQuery({
    queryKey: ['audit-events', filters],
    queryFn: ({ pageParam }) => api.auditEvents(filters, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const entries = log.data?.pages.flatMap((page) => page.entries) ?? [];
  const draftActionError = actionError(draft.action);
  const rangeInvalid = draft.from !== '' && draft.to !== '' && draft.from > draft.to;

  const download = async () => {
    setDownloadError(undefined);
    try {
      const { name, blob } = await api.auditCsv(filters);
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

  return (
    <>
      <PageHeader title={t('auditTitle')} lead={t('auditLead')}>
        <button type="button" onClick={() => void download()}>
          {t('auditDownloadCsv')}
        </button>
      </PageHeader>
      <ErrorAlert error={downloadError} />
      <form
        className="card"
        aria-label={t('auditFilters')}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!draftActionError && !rangeInvalid) setApplied(draft);
        }}
      >
        <div className="grid-2">
          <Field label={t('auditAction')} hint={t('auditActionHint')} error={draftActionError}>
            <input type="text" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })} />
          </Field>
          <Field label={t('auditActor')}>
            <input type="text" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} />
          </Field>
          <Field label={t('from')}>
            <input type="date" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
          </Field>
          <Field label={t('to')} error={rangeInvalid ? t('rangeInvalid') : undefined}>
            <input type="date" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
          </Field>
        </div>
        <div className="row">
          <button type="submit" className="primary" disabled={draftActionError !== undefined || rangeInvalid}>
            {t('applyFilters')}
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(EMPTY_AUDIT_FORM);
              setApplied(EMPTY_AUDIT_FORM);
            }}
          >
            {t('clearFilters')}
          </button>
        </div>
      </form>
      <section className="card" aria-labelledby="audit-heading">
        <h2 id="audit-heading">{t('auditEntriesHeading')}</h2>
        {log.isPending && <Loading />}
        <ErrorAlert error={log.error ?? undefined} />
        {log.data && entries.length === 0 && <p className="empty">{t('noAuditEntries')}</p>}
        {entries.length > 0 && (
          // Long details can make the table wider than the page: its scrolling box takes keyboard focus.
          <div className="table-wrap" role="region" aria-labelledby="audit-heading" tabIndex={0}>
            <table aria-labelledby="audit-heading">
              <thead>
                <tr>
                  <th scope="col">{t('colTime')}</th>
                  <th scope="col">{t('colWho')}</th>
                  <th scope="col">{t('colAction')}</th>
                  <th scope="col">{t('colTarget')}</th>
                  <th scope="col">{t('colDetails')}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td className="nowrap">{dateTime(entry.createdAt, t('never'))}</td>
                    <td>{actorOf(entry, t('platformActor'))}</td>
                    <td>
                      <ActionName action={entry.action} />
                    </td>
                    <td>{entry.target && <code>{entry.target}</code>}</td>
                    <td className="sub" style={{ overflowWrap: 'anywhere' }}>
                      {detailsOf(entry)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {log.hasNextPage && (
          <button type="button" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
            {t('loadMore')}
          </button>
        )}
      </section>
    </>
  );
}

/** An action breaks only after its dots (`reseller.` / `console_opened`), never inside a word. */
function ActionName({ action }: { action: string }) {
  const parts = action.split('.');
  return (
    <code style={{ wordBreak: 'normal' }}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && (
            <>
              .<wbr />
            </>
          )}
        </Fragment>
      ))}
    </code>
  );
}
