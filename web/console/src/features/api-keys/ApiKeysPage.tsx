import { zodResolver } from '@hookform/resolvers/zod';
import { API_KEY_PERMISSION_VALUES, apiKeyCreateRequestSchema } from '@mindbot/sdk/schemas';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import type { ApiKey, ApiKeyCreated } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { dateTime } from '../../app/format.js';
import { ErrorAlert, Loading, Notice } from '../../components/Alerts.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { Field } from '../../components/Field.js';
import { fieldErrorsInto } from '../../components/form-errors.js';
import { PageHeader } from '../../components/PageHeader.js';
import { SecretDialog } from '../../components/SecretDialog.js';

const API_KEYS = ['api-keys'] as const;

type KeyForm = z.input<typeof apiKeyCreateRequestSchema>;

/** API keys: made here (the secret shown once, to copy), listed with their last use, revoked after a confirmation. */
export default function ApiKeysPage() {
  const { api, t } = useConsole();
  const queries = useQueryClient();
  const keys = useQuery({ queryKey: API_KEYS, queryFn: () => api.apiKeys() });
  const [created, setCreated] = useState<ApiKeyCreated>();
  const [revoking, setRevoking] = useState<ApiKey>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();
  const form = useForm<KeyForm, unknown, z.output<typeof apiKeyCreateRequestSchema>>({
    resolver: zodResolver(apiKeyCreateRequestSchema),
    defaultValues: { name: '', environment: 'live', permissions: ['voice:sessions'] },
  });
  const refresh = () => queries.invalidateQueries({ queryKey: API_KEYS });

  const submit = form.handleSubmit(async (values) => {
    setError(undefined);
    try {
      setCreated(await api.createApiKey(values));
      form.reset();
      await refresh();
    } catch (e) {
      fieldErrorsInto(form.setError, e, ['name', 'permissions']);
      setError(e);
    }
  });

  const permissionLabel = (permission: (typeof API_KEY_PERMISSION_VALUES)[number]) =>
    permission === 'voice:sessions' ? t('permissionVoice') : t('permissionRead');

  return (
    <>
      <PageHeader title={t('apiKeysTitle')} lead={t('apiKeysLead')} />
      <Notice message={notice} />
      <section className="card" aria-labelledby="keys-heading">
        <h2 id="keys-heading">{t('apiKeysTitle')}</h2>
        {keys.isPending && <Loading />}
        <ErrorAlert error={keys.error ?? undefined} />
        {keys.data && keys.data.length === 0 && <p className="empty">{t('noKeys')}</p>}
        {keys.data && keys.data.length > 0 && (
          <div className="table-wrap">
            <table aria-labelledby="keys-heading">
              <thead>
                <tr>
                  <th scope="col">{t('colName')}</th>
                  <th scope="col">{t('colKey')}</th>
                  <th scope="col">{t('colCreated')}</th>
                  <th scope="col">{t('colLastUsed')}</th>
                  <th scope="col">{t('colStatus')}</th>
                  <th scope="col" className="actions-cell">
                    {t('actions')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.data.map((key) => (
                  <tr key={key.id}>
                    <th scope="row">
                      {key.name}
                      <div className="sub">{key.environment === 'live' ? t('envLive') : t('envTest')}</div>
                    </th>
                    <td>
                      <code>…{key.hint}</code>
                    </td>
                    <td className="nowrap">{dateTime(key.createdAt, t('never'))}</td>
                    <td className="nowrap">{dateTime(key.lastUsedAt, t('never'))}</td>
                    <td>
                      <span className={`badge ${key.revokedAt ? 'off' : 'ok'}`}>
                        {key.revokedAt ? t('statusRevoked') : t('statusActive')}
                      </span>
                    </td>
                    <td className="actions-cell">
                      {!key.revokedAt && (
                        <button
                          type="button"
                          className="small subtle-danger"
                          aria-label={t('keyRevokeLabel', { name: key.name })}
                          onClick={() => setRevoking(key)}
                        >
                          {t('keyRevoke')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="new-key-heading">
        <h2 id="new-key-heading">{t('newKey')}</h2>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <div className="grid-3">
            <Field label={t('keyName')} error={form.formState.errors.name?.message}>
              <input type="text" {...form.register('name')} />
            </Field>
            <fieldset>
              <legend>{t('keyEnvironment')}</legend>
              <label className="check">
                <input type="radio" value="live" {...form.register('environment')} />
                {t('envLive')}
              </label>
              <label className="check">
                <input type="radio" value="test" {...form.register('environment')} />
                {t('envTest')}
              </label>
            </fieldset>
            <fieldset aria-describedby={form.formState.errors.permissions ? 'permissions-error' : undefined}>
              <legend>{t('keyPermissions')}</legend>
              {API_KEY_PERMISSION_VALUES.map((permission) => (
                <label key={permission} className="check">
                  <input type="checkbox" value={permission} {...form.register('permissions')} />
                  {permissionLabel(permission)}
                </label>
              ))}
              {form.formState.errors.permissions && (
                <p id="permissions-error" className="field-error">
                  {form.formState.errors.permissions.message}
                </p>
              )}
            </fieldset>
          </div>
          <ErrorAlert error={error} />
          <div className="row end">
            <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
              {t('keyCreate')}
            </button>
          </div>
        </form>
      </section>
      <SecretDialog
        secret={created?.key}
        title={t('keyCreatedTitle', { name: created?.apiKey.name ?? '' })}
        label={t('keySecret')}
        testId="api-key-secret"
        onClose={() => setCreated(undefined)}
      />
      <ConfirmDialog
        open={revoking !== undefined}
        title={t('keyRevokeTitle', { name: revoking?.name ?? '' })}
        message={t('keyRevokeConfirm')}
        confirmLabel={t('keyRevoke')}
        onClose={() => setRevoking(undefined)}
        onConfirm={async () => {
          if (!revoking) return;
          await api.revokeApiKey(revoking.id);
          await refresh();
          setNotice(t('keyRevoked', { name: revoking.name }));
        }}
      />
    </>
  );
}
