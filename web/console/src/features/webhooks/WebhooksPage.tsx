import { zodResolver } from '@hookform/resolvers/zod';
import { WEBHOOK_EVENT_TYPES, webhookEndpointCreateSchema } from '@mindbot/sdk/schemas';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import type { WebhookEndpointWithSecret } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { ErrorAlert, Loading, Notice } from '../../components/Alerts.js';
import { Field } from '../../components/Field.js';
import { fieldErrorsInto } from '../../components/form-errors.js';
import { PageHeader } from '../../components/PageHeader.js';
import { SecretDialog } from '../../components/SecretDialog.js';
import { EndpointCard } from './EndpointCard.js';

export const WEBHOOK_ENDPOINTS = ['webhook-endpoints'] as const;

type EndpointForm = z.input<typeof webhookEndpointCreateSchema>;

/** Outbound webhooks (GET/POST /v1/webhook-endpoints…): endpoints registered with their events, the secret shown once, each one's delivery log. */
export default function WebhooksPage() {
  const { api, t } = useConsole();
  const queries = useQueryClient();
  const endpoints = useQuery({ queryKey: WEBHOOK_ENDPOINTS, queryFn: () => api.webhookEndpoints() });
  const [created, setCreated] = useState<WebhookEndpointWithSecret>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();
  const form = useForm<EndpointForm, unknown, z.output<typeof webhookEndpointCreateSchema>>({
    resolver: zodResolver(webhookEndpointCreateSchema),
    defaultValues: { url: '', description: '', events: [] },
  });
  const errors = form.formState.errors;

  const submit = form.handleSubmit(async (values) => {
    setError(undefined);
    try {
      setCreated(await api.createWebhookEndpoint(values));
      form.reset();
      await queries.invalidateQueries({ queryKey: WEBHOOK_ENDPOINTS });
    } catch (e) {
      fieldErrorsInto(form.setError, e, ['url', 'description', 'events']);
      setError(e);
    }
  });

  return (
    <>
      <PageHeader title={t('webhooksTitle')} lead={t('webhooksLead')} />
      <Notice message={notice} />
      <section className="card" aria-labelledby="endpoints-heading">
        <h2 id="endpoints-heading">{t('endpointsTitle')}</h2>
        {endpoints.isPending && <Loading />}
        <ErrorAlert error={endpoints.error ?? undefined} />
        {endpoints.data && endpoints.data.length === 0 && <p className="empty">{t('noEndpoints')}</p>}
        {endpoints.data?.map((endpoint) => (
          <EndpointCard key={endpoint.id} endpoint={endpoint} onNotice={setNotice} />
        ))}
      </section>
      <section className="card" aria-labelledby="new-endpoint-heading">
        <h2 id="new-endpoint-heading">{t('newEndpoint')}</h2>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Field label={t('endpointUrl')} error={errors.url?.message}>
            <input type="url" placeholder="https://example.com/webhooks/mindbot" {...form.register('url')} />
          </Field>
          <Field label={t('endpointDescription')} error={errors.description?.message}>
            <input type="text" {...form.register('description')} />
          </Field>
          <fieldset aria-describedby={errors.events ? 'events-error' : undefined}>
            <legend>{t('endpointEvents')}</legend>
            {WEBHOOK_EVENT_TYPES.map((type) => (
              <label key={type} className="check">
                <input type="checkbox" value={type} {...form.register('events')} />
                <code>{type}</code>
              </label>
            ))}
            {errors.events && (
              <p id="events-error" className="field-error">
                {errors.events.message}
              </p>
            )}
          </fieldset>
          <ErrorAlert error={error} />
          <div className="row end">
            <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
              {t('endpointCreate')}
            </button>
          </div>
        </form>
      </section>
      <SecretDialog
        secret={created?.secret}
        title={t('endpointCreatedTitle', { url: created?.endpoint.url ?? '' })}
        label={t('endpointSecret')}
        testId="webhook-secret"
        onClose={() => setCreated(undefined)}
      />
    </>
  );
}
