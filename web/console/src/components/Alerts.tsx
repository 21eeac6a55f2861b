import { problemMessage } from '../api/problems.js';
import { useConsole } from '../app/context.js';

/** A refusal or failure, in the API's words (`role="alert"`: read out when it appears). */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useConsole();
  if (error === undefined || error === null) return null;
  return (
    <p role="alert" className="alert error">
      {problemMessage(error, t)}
    </p>
  );
}

/** A done action's outcome (`role="status"`: announced politely). Always in the page, so screen readers hear changes. */
export function Notice({ message }: { message: string | undefined }) {
  return (
    <p role="status" className={message ? 'alert success' : 'visually-hidden'}>
      {message ?? ''}
    </p>
  );
}

export function Loading() {
  const { t } = useConsole();
  return (
    <p className="muted" aria-busy="true">
      {t('loading')}
    </p>
  );
}
