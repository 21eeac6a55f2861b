import { useId, useState, type SyntheticEvent } from 'react';
import { problemMessage } from '../../api/widget-api.js';
import { useWidget } from '../../app/context.js';
import { formatDate, formatDuration } from '../balance/duration.js';

/** Activate a 12-character code; the API's refusals (wrong, used, too many tries) in its own words. */
export function ActivateSection({ onActivated, onRefused }: { onActivated: () => void; onRefused: () => void }) {
  const { api, t, language } = useWidget();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const inputId = useId();

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (!code.trim()) return;
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const activation = await api.activate(code);
      setDone(t('activated', { time: formatDuration(activation.seconds, t), date: formatDate(activation.expiresAt, language) }));
      setCode('');
      onActivated();
    } catch (e) {
      setError(problemMessage(e, t('genericError')));
      onRefused();
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h3>{t('activateTitle')}</h3>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor={inputId}>{t('activationCode')}</label>
        <input
          id={inputId}
          name="code"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={40}
          value={code}
          onChange={(e) => setCode(e.target.value)}
        />
        <div className="row">
          <button type="submit" className="primary" disabled={busy}>
            {t('activate')}
          </button>
        </div>
        {error && (
          <p role="alert" className="alert">
            {error}
          </p>
        )}
        {done && (
          <p role="status" className="status">
            {done}
          </p>
        )}
      </form>
    </section>
  );
}
