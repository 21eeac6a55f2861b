import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import type { AdminBranding } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { ErrorAlert, Loading, Notice } from '../../components/Alerts.js';
import { Field } from '../../components/Field.js';
import { fieldErrorsInto } from '../../components/form-errors.js';
import { PageHeader } from '../../components/PageHeader.js';
import { brandingFormSchema, fieldLabel, fieldsOf, isManaged, kindOf, patchOf, valuesOf, type BrandingValues } from './branding-form.js';
import { WidgetPreview } from './WidgetPreview.js';

const BRANDING = ['admin-branding'] as const;

/** Branding and persona: the console-editable settings beside a live preview of the widget; manifest-managed ones read-only. */
export default function BrandingPage() {
  const { api, t } = useConsole();
  const branding = useQuery({ queryKey: BRANDING, queryFn: () => api.adminBranding() });
  return (
    <>
      <PageHeader title={t('brandingTitle')} lead={t('brandingLead')} />
      {branding.isPending && <Loading />}
      <ErrorAlert error={branding.error ?? undefined} />
      {branding.data && <BrandingForm branding={branding.data} />}
    </>
  );
}

function BrandingForm({ branding }: { branding: AdminBranding }) {
  const { api, t, refreshBranding } = useConsole();
  const queries = useQueryClient();
  const keys = useMemo(() => fieldsOf(branding), [branding]);
  const schema = useMemo(() => brandingFormSchema(keys, new Set(keys.filter((key) => isManaged(branding, key)))), [keys, branding]);
  const initial = useMemo(() => valuesOf(branding), [branding]);
  const [cleared, setCleared] = useState<ReadonlySet<string>>(new Set());
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<unknown>();
  const form = useForm<BrandingValues, unknown, BrandingValues>({ resolver: zodResolver(schema), defaultValues: initial });
  const values = { ...initial, ...useWatch({ control: form.control }) } as BrandingValues;

  const submit = form.handleSubmit(async (submitted) => {
    setError(undefined);
    setNotice(undefined);
    const patch = patchOf(branding, submitted, cleared);
    if (Object.keys(patch).length === 0) return;
    try {
      const saved = await api.updateBranding(patch);
      queries.setQueryData(BRANDING, saved);
      form.reset(valuesOf(saved));
      setCleared(new Set());
      setNotice(t('brandingSaved'));
      refreshBranding();
    } catch (e) {
      fieldErrorsInto(form.setError, e, keys);
      setError(e);
    }
  });

  return (
    <div className="columns">
      <section className="card" aria-labelledby="branding-form-heading">
        <h2 id="branding-form-heading" className="visually-hidden">
          {t('brandingTitle')}
        </h2>
        <form onSubmit={(e) => void submit(e)} noValidate>
          {keys.map((key) => {
            const managed = isManaged(branding, key);
            const kind = kindOf(key);
            const source = branding.managedBy[key];
            const hint = managed ? t('managedNote') : source === 'console' ? t('fromConsole') : t('fromDefault');
            const register = form.register(key, {
              onChange: () => {
                if (cleared.has(key)) setCleared(new Set([...cleared].filter((k) => k !== key)));
              },
            });
            return (
              <div key={key} className="setting">
                <Field
                  label={fieldLabel(key, t)}
                  hint={hint}
                  error={form.formState.errors[key]?.message}
                  badge={managed ? <span className="badge managed">{t('managedByManifest')}</span> : undefined}
                >
                  {kind === 'long' ? (
                    <textarea rows={key === 'instructions' ? 5 : 2} readOnly={managed} {...register} />
                  ) : kind === 'color' ? (
                    <input type="text" readOnly={managed} spellCheck={false} {...register} />
                  ) : (
                    <input type={kind === 'url' ? 'url' : 'text'} readOnly={managed} {...register} />
                  )}
                </Field>
                {kind === 'color' && !managed && (
                  <input
                    type="color"
                    aria-label={t('colourPicker', { field: fieldLabel(key, t) })}
                    value={/^#[0-9a-fA-F]{6}$/.test(values[key] ?? '') ? values[key] : '#000000'}
                    onChange={(e) => form.setValue(key, e.target.value, { shouldDirty: true, shouldValidate: true })}
                    style={{ marginTop: '-0.5rem', marginBottom: '0.9rem' }}
                  />
                )}
                {!managed && source === 'console' && !cleared.has(key) && (
                  <button
                    type="button"
                    className="link small"
                    aria-label={`${t('useDefault')}: ${fieldLabel(key, t)}`}
                    onClick={() => setCleared(new Set([...cleared, key]))}
                  >
                    {t('useDefault')}
                  </button>
                )}
              </div>
            );
          })}
          <ErrorAlert error={error} />
          <Notice message={notice} />
          <div className="row end">
            <button
              type="button"
              onClick={() => {
                form.reset(initial);
                setCleared(new Set());
                setError(undefined);
              }}
            >
              {t('discard')}
            </button>
            <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
              {form.formState.isSubmitting ? t('saving') : t('save')}
            </button>
          </div>
        </form>
      </section>
      <section className="card" aria-labelledby="preview-heading">
        <h2 id="preview-heading">{t('previewTitle')}</h2>
        <p className="muted">{t('previewLead')}</p>
        <WidgetPreview values={values} />
      </section>
    </div>
  );
}
