import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useConsole } from '../../app/context.js';
import { ErrorAlert } from '../../components/Alerts.js';
import { Field } from '../../components/Field.js';
import { FormActions } from '../../components/FormActions.js';
import { fieldErrorsInto } from '../../components/form-errors.js';
import { packageFormSchema, type PackageFormOutput, type PackageFormValues } from './package-form.js';

/** Create or edit a package; the API's refusals land on the fields they name. */
export function PackageForm({
  currency,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  currency: string;
  initial: PackageFormValues;
  submitLabel: string;
  onSubmit: (values: PackageFormOutput) => Promise<void>;
  onCancel?: () => void;
}) {
  const { t } = useConsole();
  const schema = useMemo(() => packageFormSchema(currency, t), [currency, t]);
  const [error, setError] = useState<unknown>();
  const form = useForm<PackageFormValues, unknown, PackageFormOutput>({ resolver: zodResolver(schema), defaultValues: initial });
  const errors = form.formState.errors;

  const submit = form.handleSubmit(async (values) => {
    setError(undefined);
    try {
      await onSubmit(values);
      form.reset(initial);
    } catch (e) {
      fieldErrorsInto(form.setError, e, ['name', 'description']);
      setError(e);
    }
  });

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <div className="grid-2">
        <Field label={t('packageName')} error={errors.name?.message}>
          <input type="text" {...form.register('name')} />
        </Field>
        <Field label={t('packagePrice', { currency: currency.toUpperCase() })} error={errors.price?.message}>
          <input type="text" inputMode="decimal" {...form.register('price')} />
        </Field>
        <Field label={t('packageMinutes')} error={errors.minutes?.message}>
          <input type="text" inputMode="numeric" {...form.register('minutes')} />
        </Field>
        <Field label={t('packageBonusMinutes')} error={errors.bonusMinutes?.message}>
          <input type="text" inputMode="numeric" {...form.register('bonusMinutes')} />
        </Field>
      </div>
      <Field label={`${t('packageDescription')} ${t('optional')}`} error={errors.description?.message}>
        <textarea rows={2} {...form.register('description')} />
      </Field>
      <label className="check">
        <input type="checkbox" {...form.register('active')} />
        {t('packageOnSale')}
      </label>
      <ErrorAlert error={error} />
      <FormActions busy={form.formState.isSubmitting} onCancel={onCancel} submitLabel={submitLabel} />
    </form>
  );
}
