import { useConsole } from '../app/context.js';
import { CopyButton } from './CopyButton.js';
import { Dialog } from './Dialog.js';

/**
 * A secret shown once, just after it was made (an API key, a webhook signing secret): a warning that
 * it will not be shown again, the value to copy, and Done. Closed, the page keeps nothing of it.
 */
export function SecretDialog({
  secret,
  title,
  label,
  testId,
  onClose,
}: {
  /** The secret; undefined keeps the dialog closed. */
  secret: string | undefined;
  title: string;
  /** What the secret is (labels it and its copy button). */
  label: string;
  testId: string;
  onClose: () => void;
}) {
  const { t } = useConsole();
  return (
    <Dialog open={secret !== undefined} title={title} onClose={onClose}>
      {secret !== undefined && (
        <>
          <p className="alert warning">{t('keyCreatedLead')}</p>
          <p className="copy-label">{label}</p>
          <code className="secret" data-testid={testId}>
            {secret}
          </code>
          <div className="row end">
            <CopyButton value={secret} what={label} />
            <button type="button" className="primary" onClick={onClose}>
              {t('done')}
            </button>
          </div>
        </>
      )}
    </Dialog>
  );
}
