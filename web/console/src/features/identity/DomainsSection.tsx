import { zodResolver } from '@hookform/resolvers/zod';
import { domainClaimRequestSchema } from '@mindbot/sdk/schemas';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import type { Connection, Domain } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { ErrorAlert, Loading, Notice } from '../../components/Alerts.js';
import { CopyField } from '../../components/CopyButton.js';
import { Field } from '../../components/Field.js';
import { fieldErrorsInto } from '../../components/form-errors.js';

const DOMAINS = ['domains'] as const;

/** Email domains: claim one (the TXT record to add is shown), then Check it against DNS. */
export function DomainsSection({ connections }: { connections: readonly Connection[] }) {
  const { api, t } = useConsole();
  const queries = useQueryClient();
  const domains = useQuery({ queryKey: DOMAINS, queryFn: () => api.domains() });
  const [notice, setNotice] = useState<string>();
  const [checkError, setCheckError] = useState<unknown>();
  const [formError, setFormError] = useState<unknown>();
  const [checking, setChecking] = useState<string>();
  const form = useForm<z.input<typeof domainClaimRequestSchema>, unknown, z.output<typeof domainClaimRequestSchema>>({
    resolver: zodResolver(domainClaimRequestSchema),
    defaultValues: { domain: '', connectionId: null },
  });
  const refresh = () => queries.invalidateQueries({ queryKey: DOMAINS });
  const nameOf = (id: string | null) => connections.find((c) => c.id === id)?.name ?? t('noneOption');

  const claim = form.handleSubmit(async ({ domain, connectionId }) => {
    setFormError(undefined);
    try {
      await api.claimDomain(domain, connectionId);
      form.reset({ domain: '', connectionId: null });
      await refresh();
    } catch (e) {
      fieldErrorsInto(form.setError, e, ['domain', 'connectionId']);
      setFormError(e);
    }
  });

  const check = async (domain: Domain) => {
    setChecking(domain.domain);
    setCheckError(undefined);
    try {
      await api.verifyDomain(domain.domain);
      await refresh();
      setNotice(t('domainVerified', { domain: domain.domain }));
    } catch (e) {
      setCheckError(e);
    } finally {
      setChecking(undefined);
    }
  };

  return (
    <section className="card" aria-labelledby="domains-heading">
      <h2 id="domains-heading">{t('domainsTitle')}</h2>
      <p className="muted">{t('domainsLead')}</p>
      <Notice message={notice} />
      <ErrorAlert error={checkError} />
      {domains.isPending && <Loading />}
      <ErrorAlert error={domains.error ?? undefined} />
      {domains.data && domains.data.length === 0 && <p className="empty">{t('noDomains')}</p>}
      {domains.data?.map((domain) => (
        <div key={domain.domain} className="card" style={{ marginBottom: '0.75rem' }}>
          <div className="row" style={{ justifyContent: 'space-between' }}>
            <h3 style={{ margin: 0 }}>{domain.domain}</h3>
            <span className={`badge ${domain.verified ? 'ok' : 'off'}`}>{domain.verified ? t('verified') : t('notVerified')}</span>
          </div>
          <p className="sub">
            {t('domainConnection')}: {nameOf(domain.connectionId)}
          </p>
          {!domain.verified && (
            <>
              <p>{t('dnsRecord', { domain: domain.domain })}</p>
              <CopyField label={`${t('recordName')} (TXT)`} value={domain.txtRecord.name} />
              <CopyField label={t('recordValue')} value={domain.txtRecord.value} />
              <div className="row end">
                <button
                  type="button"
                  className="primary"
                  aria-label={t('checkDomain', { domain: domain.domain })}
                  disabled={checking === domain.domain}
                  onClick={() => void check(domain)}
                >
                  {t('check')}
                </button>
              </div>
            </>
          )}
        </div>
      ))}
      <form onSubmit={(e) => void claim(e)} noValidate className="grid-2">
        <Field label={t('domainName')} error={form.formState.errors.domain?.message}>
          <input type="text" placeholder="example.com" {...form.register('domain')} />
        </Field>
        <Field label={t('domainConnection')} error={form.formState.errors.connectionId?.message}>
          <select {...form.register('connectionId', { setValueAs: (v: string) => (v === '' ? null : v) })}>
            <option value="">{t('noneOption')}</option>
            {connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <div>
          <ErrorAlert error={formError} />
          <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
            {t('claimDomain')}
          </button>
        </div>
      </form>
    </section>
  );
}
