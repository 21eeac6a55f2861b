import { useState } from 'react';
import { useConsole } from '../app/context.js';
import { Dialog } from './Dialog.js';
import { ErrorAlert } from './Alerts.js';

/** Asks before something that cannot be taken back; shows the API's refusal in place. */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const { t } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const close = () => {
    setError(undefined);
    onClose();
  };
  return (
    <Dialog open={open} title={title} onClose={close}>
      <p>{message}</p>
      <ErrorAlert error={error} />
      <div className="row end">
        <button type="button" onClick={close} disabled={busy}>
          {t('cancel')}
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            setError(undefined);
            onConfirm().then(
              () => {
                setBusy(false);
                onClose();
              },
              (e: unknown) => {
                setBusy(false);
                setError(e);
              },
            );
          }}
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
