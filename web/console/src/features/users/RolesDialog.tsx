import { useState } from 'react';
import type { ConsoleUser } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { ErrorAlert } from '../../components/Alerts.js';
import { Dialog } from '../../components/Dialog.js';
import { FormActions } from '../../components/FormActions.js';
import { ROLES, roleLabel } from './roles.js';

/** Changes one user's roles (the API decides who may grant `owner`, and keeps the last owner). */
export function RolesDialog({
  user,
  onClose,
  onSaved,
}: {
  user: ConsoleUser | undefined;
  onClose: () => void;
  onSaved: (user: ConsoleUser) => Promise<void>;
}) {
  const { api, t } = useConsole();
  const [roles, setRoles] = useState<string[]>([]);
  const [shownFor, setShownFor] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // A new user in the dialog starts from their own roles.
  if (user && shownFor !== user.id) {
    setShownFor(user.id);
    setRoles(user.roles);
    setError(undefined);
  }
  const offered = [...ROLES, ...(user?.roles.filter((role) => !(ROLES as readonly string[]).includes(role)) ?? [])];
  return (
    <Dialog
      open={user !== undefined}
      title={t('rolesTitle', { email: user?.email ?? '' })}
      onClose={() => {
        setShownFor(undefined);
        onClose();
      }}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!user) return;
          setBusy(true);
          setError(undefined);
          api.setRoles(user.id, roles).then(
            async (saved) => {
              setBusy(false);
              setShownFor(undefined);
              await onSaved(saved);
            },
            (e: unknown) => {
              setBusy(false);
              setError(e);
            },
          );
        }}
      >
        <fieldset>
          <legend>{t('colRoles')}</legend>
          {offered.map((role) => (
            <label key={role} className="check">
              <input
                type="checkbox"
                checked={roles.includes(role)}
                onChange={(e) => setRoles(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))}
              />
              {roleLabel(role, t)}
            </label>
          ))}
        </fieldset>
        <ErrorAlert error={error} />
        <FormActions busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
