import { useEffect, useState } from 'react';
import type { Connection } from '../../api/console-api.js';
import { useConsole } from '../../app/context.js';
import { ErrorAlert } from '../../components/Alerts.js';
import { Dialog } from '../../components/Dialog.js';
import { Field } from '../../components/Field.js';
import { FormActions } from '../../components/FormActions.js';
import { parseRoleRules } from './connection-form.js';

/** Edits a connection's group→role rules (`group = role` lines, the same rule as the add form), saved with PATCH. */
export function RoleRulesDialog({
  open,
  connection,
  onClose,
  onSaved,
}: {
  open: boolean;
  connection: Connection;
  onClose: () => void;
  onSaved: (connection: Connection) => Promise<void>;
}) {
  const { api, t } = useConsole();
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  useEffect(() => {
    if (!open) return;
    setText(connection.roleRules.map((rule) => `${rule.group} = ${rule.role}`).join('\n'));
    setInvalid(false);
    setError(undefined);
  }, [open, connection]);

  const save = async () => {
    const rules = parseRoleRules(text);
    setInvalid(rules === undefined);
    if (rules === undefined) return;
    setBusy(true);
    setError(undefined);
    try {
      await onSaved(await api.updateRoleRules(connection.id, rules));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} title={t('editRoleRulesTitle', { name: connection.name })} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        noValidate
      >
        <Field label={t('roleRules')} hint={t('roleRulesHint')} error={invalid ? t('roleRulesInvalid') : undefined}>
          <textarea rows={4} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />
        </Field>
        <ErrorAlert error={error} />
        <FormActions busy={busy} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
