import { zodResolver } from '@hookform/resolvers/zod';
import { passwordLoginRequestSchema, passwordResetRequestSchema } from '@mindbot/sdk/schemas';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import type { z } from 'zod';
import { useConsole } from '../../app/context.js';
import { ErrorAlert, Notice } from '../../components/Alerts.js';
import { Field } from '../../components/Field.js';
import { AuthFrame } from './AuthFrame.js';

type Credentials = z.input<typeof passwordLoginRequestSchema>;

/** Password sign-in, and one button per SSO connection of the tenant (the widget's redirect flow, back to the console). */
export function SignInPage({ onSignedIn, error: initialError }: { onSignedIn: () => Promise<void>; error?: unknown }) {
  const { api, branding, t } = useConsole();
  const [mode, setMode] = useState<'signIn' | 'reset'>('signIn');
  const [error, setError] = useState<unknown>(initialError);
  const [busy, setBusy] = useState(false);
  const form = useForm<Credentials, unknown, z.output<typeof passwordLoginRequestSchema>>({
    resolver: zodResolver(passwordLoginRequestSchema),
    defaultValues: { email: '', password: '' },
  });

  const submit = form.handleSubmit(async ({ email, password }) => {
    setBusy(true);
    setError(undefined);
    try {
      await api.signIn(email, password);
      await onSignedIn();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  });

  const sso = async (connectionId: string) => {
    setBusy(true);
    setError(undefined);
    try {
      location.assign(await api.startSso(connectionId, `${location.origin}/console/sign-in`));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  if (mode === 'reset') return <ResetRequest onBack={() => setMode('signIn')} />;

  const connections = branding.ssoConnections ?? [];
  return (
    <AuthFrame title={t('signInTitle', { name: branding.displayName })} lead={t('signInLead')}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t('email')} error={form.formState.errors.email?.message}>
          <input type="email" autoComplete="email" {...form.register('email')} />
        </Field>
        <Field label={t('password')} error={form.formState.errors.password?.message}>
          <input type="password" autoComplete="current-password" {...form.register('password')} />
        </Field>
        <ErrorAlert error={error} />
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
      <button type="button" className="link" onClick={() => setMode('reset')}>
        {t('forgotPassword')}
      </button>
      {connections.length > 0 && (
        <section className="sso" aria-labelledby="sso-heading">
          <h2 id="sso-heading" className="divider">
            {t('orSignInWith')}
          </h2>
          {connections.map((connection) => (
            <button key={connection.id} type="button" className="wide" disabled={busy} onClick={() => void sso(connection.id)}>
              {t('continueWith', { name: connection.name })}
            </button>
          ))}
        </section>
      )}
    </AuthFrame>
  );
}

function ResetRequest({ onBack }: { onBack: () => void }) {
  const { api, t } = useConsole();
  const [sent, setSent] = useState<string>();
  const [error, setError] = useState<unknown>();
  const form = useForm<z.input<typeof passwordResetRequestSchema>, unknown, z.output<typeof passwordResetRequestSchema>>({
    resolver: zodResolver(passwordResetRequestSchema),
    defaultValues: { email: '' },
  });
  const submit = form.handleSubmit(async ({ email }) => {
    setError(undefined);
    try {
      await api.requestPasswordReset(email);
      setSent(t('resetRequestSent', { email }));
    } catch (e) {
      setError(e);
    }
  });
  return (
    <AuthFrame title={t('resetRequestTitle')} lead={t('resetRequestLead')}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t('email')} error={form.formState.errors.email?.message}>
          <input type="email" autoComplete="email" {...form.register('email')} />
        </Field>
        <ErrorAlert error={error} />
        <Notice message={sent} />
        <button type="submit" className="primary wide" disabled={form.formState.isSubmitting}>
          {t('resetRequestSend')}
        </button>
      </form>
      <button type="button" className="link" onClick={onBack}>
        {t('backToSignIn')}
      </button>
    </AuthFrame>
  );
}
