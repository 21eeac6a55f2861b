import { zodResolver } from '@hookform/resolvers/zod';
import { passwordResetConfirmRequestSchema } from '@mindbot/sdk/schemas';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { Link, useSearchParams } from 'react-router';
import { z } from 'zod';
import { useConsole } from '../../app/context.js';
import { ErrorAlert, Notice } from '../../components/Alerts.js';
import { Field } from '../../components/Field.js';
import { fieldErrorsInto } from '../../components/form-errors.js';
import { AuthFrame } from './AuthFrame.js';

/** /console/reset-password?token=…: the link from the reset mail; a new password, typed twice. */
export function ResetPasswordPage() {
  const { api, t } = useConsole();
  const token = useSearchParams()[0].get('token') ?? '';
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>();
  const schema = useMemo(
    () =>
      z
        .object({ password: passwordResetConfirmRequestSchema.shape.password.min(1, t('passwordRequired')), repeat: z.string() })
        .refine((v) => v.password === v.repeat, { path: ['repeat'], message: t('passwordsDiffer') }),
    [t],
  );
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { password: '', repeat: '' },
  });
  const submit = form.handleSubmit(async ({ password }) => {
    setError(undefined);
    try {
      await api.resetPassword({ token, password });
      setDone(true);
    } catch (e) {
      fieldErrorsInto(form.setError, e, ['password']);
      setError(e);
    }
  });

  if (token === '')
    return (
      <AuthFrame title={t('resetTitle')}>
        <p role="alert" className="alert error">
          {t('missingToken')}
        </p>
      </AuthFrame>
    );
  return (
    <AuthFrame title={t('resetTitle')}>
      <Notice message={done ? t('resetDone') : undefined} />
      {done ? (
        <Link to="/sign-in" className="button primary wide">
          {t('signIn')}
        </Link>
      ) : (
        <form onSubmit={(e) => void submit(e)} noValidate>
          <Field label={t('newPassword')} error={form.formState.errors.password?.message}>
            <input type="password" autoComplete="new-password" {...form.register('password')} />
          </Field>
          <Field label={t('repeatPassword')} error={form.formState.errors.repeat?.message}>
            <input type="password" autoComplete="new-password" {...form.register('repeat')} />
          </Field>
          <ErrorAlert error={error} />
          <button type="submit" className="primary wide" disabled={form.formState.isSubmitting}>
            {t('resetSave')}
          </button>
        </form>
      )}
    </AuthFrame>
  );
}
