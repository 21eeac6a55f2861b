import { zodResolver } from '@hookform/resolvers/zod';
import { emailSchema } from '@mindbot/sdk/schemas';
import { useMemo, useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { useConsole } from '../../app/context.js';
import { ErrorAlert } from '../../components/Alerts.js';
import { Field } from '../../components/Field.js';
import { fieldErrorsInto } from '../../components/form-errors.js';
import { ROLES, roleLabel } from './roles.js';

/** Invites an email address with roles; the API mails a single-use link to /console/accept-invite. */
export function InviteForm({ onInvited }: { onInvited: (email: string) => Promise<void> }) {
  const { api, t } = useConsole();
  const [error, setError] = useState<unknown>();
  const schema = useMemo(() => z.object({ email: emailSchema, roles: z.array(z.enum(ROLES)).min(1, t('rolesRequired')) }), [t]);
  const form = useForm<z.input<typeof schema>, unknown, z.output<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { email: '', roles: ['member'] },
  });
  const submit = form.handleSubmit(async ({ email, roles }) => {
    setError(undefined);
    try {
      const invitation = await api.invite(email, roles);
      form.reset();
      await onInvited(invitation.email);
    } catch (e) {
      fieldErrorsInto(form.setError, e, ['email', 'roles']);
      setError(e);
    }
  });
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Field label={t('inviteEmail')} error={form.formState.errors.email?.message}>
        <input type="email" autoComplete="off" {...form.register('email')} />
      </Field>
      <fieldset>
        <legend>{t('inviteRoles')}</legend>
        {ROLES.map((role) => (
          <label key={role} className="check">
            <input type="checkbox" value={role} {...form.register('roles')} />
            {roleLabel(role, t)}
          </label>
        ))}
        {form.formState.errors.roles && <p className="field-error">{form.formState.errors.roles.message}</p>}
      </fieldset>
      <ErrorAlert error={error} />
      <div className="row end">
        <button type="submit" className="primary" disabled={form.formState.isSubmitting}>
          {t('inviteSend')}
        </button>
      </div>
    </form>
  );
}
