import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import type { Connection, IdpMetadataView } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { ErrorAlert } from '../../components/Alerts.js';
import { Field } from '../../components/Field.js';
import { connectionFormSchema, EMPTY_CONNECTION, requestOf, type ConnectionFormValues } from './connection-form.js';

/** Adds a SAML or OIDC connection; answered with the URLs the IdP needs (shown in the list). */
export function ConnectionForm({ onCreated }: { onCreated: (connection: Connection) => Promise<void> }) {
  const { api, t } = useConsole();
  const [error, setError] = useState<unknown>();
  const schema = useMemo(() => connectionFormSchema(t), [t]);
  const form = useForm<ConnectionFormValues>({ resolver: zodResolver(schema), defaultValues: EMPTY_CONNECTION });
  const kind = useWatch({ control: form.control, name: 'kind' });
  const metadataUrl = useWatch({ control: form.control, name: 'metadataUrl' });
  const errors = form.formState.errors;

  const submit = form.handleSubmit(async (values) => {
    setError(undefined);
    try {
      const created = await api.createConnection(requestOf(values));
      form.reset(EMPTY_CONNECTION);
      await onCreated(created);
    } catch (e) {
      setError(e);
    }
  });

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <fieldset>
        <legend>{t('colKind')}</legend>
        <div className="row">
          <label className="check">
            <input type="radio" value="oidc" {...form.register('kind')} />
            {t('kindOidc')}
          </label>
          <label className="check">
            <input type="radio" value="saml" {...form.register('kind')} />
            {t('kindSaml')}
          </label>
        </div>
      </fieldset>
      <Field label={t('connectionName')} error={errors.name?.message}>
        <input type="text" {...form.register('name')} />
      </Field>
      {kind === 'oidc' ? (
        <>
          <Field label={t('oidcIssuer')} error={errors.issuer?.message}>
            <input type="url" placeholder="https://login.example.com" {...form.register('issuer')} />
          </Field>
          <Field label={t('oidcClientId')} error={errors.clientId?.message}>
            <input type="text" autoComplete="off" {...form.register('clientId')} />
          </Field>
          <Field label={t('oidcClientSecret')} error={errors.clientSecret?.message}>
            <input type="password" autoComplete="off" {...form.register('clientSecret')} />
          </Field>
          <Field label={t('oidcScopes')} hint={t('oidcScopesHint')} error={errors.scopes?.message}>
            <input type="text" spellCheck={false} {...form.register('scopes')} />
          </Field>
        </>
      ) : (
        <>
          <Field label={t('samlMetadataUrl')} hint={t('samlMetadataHint')} error={errors.metadataUrl?.message}>
            <input type="url" {...form.register('metadataUrl')} />
          </Field>
          <MetadataLoader url={metadataUrl} />
          <Field label={t('samlMetadataXml')} error={errors.metadataXml?.message}>
            <textarea rows={4} spellCheck={false} {...form.register('metadataXml')} />
          </Field>
        </>
      )}
      <Field label={`${t('roleRules')} ${t('optional')}`} hint={t('roleRulesHint')} error={errors.roleRules?.message}>
        <textarea rows={2} spellCheck={false} {...form.register('roleRules')} />
      </Field>
      <ErrorAlert error={error} />
      <div className="row end">
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          {t('connectionCreate')}
        </button>
      </div>
    </form>
  );
}

/** Load metadata: SSO fetches the IdP's metadata from the URL (public https only) and says what it read, before anything is saved. */
function MetadataLoader({ url }: { url: string }) {
  const { api, t } = useConsole();
  const [loaded, setLoaded] = useState<IdpMetadataView>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const load = async () => {
    setBusy(true);
    setError(undefined);
    setLoaded(undefined);
    try {
      setLoaded(await api.idpMetadata(url.trim()));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="field">
      <button type="button" className="small" disabled={busy || url.trim() === ''} onClick={() => void load()}>
        {busy ? t('loadingMetadata') : t('loadMetadata')}
      </button>
      <p role="status" className={loaded ? 'alert success' : 'visually-hidden'}>
        {loaded
          ? t('metadataLoaded', { entity: loaded.idpEntityId, sso: loaded.idpSsoUrl, certificates: loaded.idpCertificates.length })
          : ''}
      </p>
      <ErrorAlert error={error} />
    </div>
  );
}
