import { useConsole } from '../app/context.js';

/**
 * The end of a form: Cancel (when it can be cancelled) and its submit button, which says Saving…
 * and is disabled while the request runs (so a double click sends one request).
 */
export function FormActions({ busy, onCancel, submitLabel }: { busy: boolean; onCancel?: (() => void) | undefined; submitLabel?: string }) {
  const { t } = useConsole();
  return (
    <div className="row end">
      {onCancel && (
        <button type="button" onClick={onCancel} disabled={busy}>
          {t('cancel')}
        </button>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('saving') : (submitLabel ?? t('save'))}
      </button>
    </div>
  );
}
