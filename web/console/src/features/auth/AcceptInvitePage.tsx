import { zodResolver } from '@hookform/resolvers/zod';
import { useQuery } from '@tanstack/react-query';
import { passwordRegisterRequestSchema } from '@mindbot/sdk/schemas';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useNavigate, useSearchParams } from 'react-router';
import { z } from 'zod';
import { isStatus } from '../../api/problems.js';
import { useConsole } from '../../app/context.js';
import { dateTime } from '../../app/format.js';
import { ErrorAlert, Loading } from '../../components/Alerts.js';
import { Field } from '../../components/Field.js';
import { fieldErrorsInto } from '../../components/form-errors.js';
import { roleLabel } from '../users/roles.js';
import { AuthFrame } from './AuthFrame.js';

/** Empty means "not given": an existing user accepts without a password; a new one needs it (the API says so). */
const acceptSchema = z.object({
  displayName: z.union([z.literal(''), passwordRegisterRequestSchema.shape.displayName.unwrap()]),
  password: passwordRegisterRequestSchema.shape.password,
});

/** /console/accept-invite?token=…: what the invitation is, a password for a new account, accept → signed in. */
export function AcceptInvitePage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const { api, branding, t } = useConsole();
  const token = useSearchParams()[0].get('token') ?? '';
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const preview = useQuery({
    queryKey: ['invitation-preview', token],
    queryFn: () => api.previewInvitation(token),
    enabled: token !== '',
    retry: false,
  });
  const form = useForm<z.input<typeof acceptSchema>, unknown, z.output<typeof acceptSchema>>({
    resolver: zodResolver(acceptSchema),
    defaultValues: { displayName: '', password: '' },
  });

  const submit = form.handleSubmit(async ({ displayName, password }) => {
    setError(undefined);
    try {
      await api.acceptInvitation({ token, ...(password ? { password } : {}), ...(displayName ? { displayName } : {}) });
      await onSignedIn();
      await navigate('/', { replace: true });
    } catch (e) {
      fieldErrorsInto(form.setError, e, ['password', 'displayName']);
      setError(e);
    }
  });

  const title = t('inviteTitle', { name: preview.data?.tenantName ?? branding.displayName });
  if (token === '')
    return (
      <AuthFrame title={title}>
        <p role="alert" className="alert error">
          {t('missingToken')}
        </p>
      </AuthFrame>
    );
  if (preview.isPending)
    return (
      <AuthFrame title={title}>
        <Loading />
      </AuthFrame>
    );
  if (preview.isError)
    return (
      <AuthFrame title={title}>
        {isStatus(preview.error, 404) ? (
          <p role="alert" className="alert error">
            {t('inviteInvalid')}
          </p>
        ) : (
          <ErrorAlert error={preview.error} />
        )}
      </AuthFrame>
    );

  const invitation = preview.data;
  return (
    <AuthFrame
      title={title}
      lead={t('inviteLead', {
        email: invitation.email,
        roles: invitation.roles.map((role) => roleLabel(role, t)).join(', '),
        date: dateTime(invitation.expiresAt, ''),
      })}
    >
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Field label={`${t('inviteDisplayName')} ${t('optional')}`} error={form.formState.errors.displayName?.message}>
          <input type="text" autoComplete="name" {...form.register('displayName')} />
        </Field>
        <Field label={t('invitePassword')} hint={t('invitePasswordHint')} error={form.formState.errors.password?.message}>
          <input type="password" autoComplete="new-password" {...form.register('password')} />
        </Field>
        <ErrorAlert error={error} />
        <button type="submit" className="primary wide" disabled={form.formState.isSubmitting}>
          {t('inviteAccept')}
        </button>
      </form>
    </AuthFrame>
  );
}
