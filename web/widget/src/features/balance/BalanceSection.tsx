import { useEffect, useState } from 'react';
import { problemMessage, type Balance } from '../../api/widget-api.js';
import { useWidget } from '../../app/context.js';
import { formatDate, formatDuration } from './duration.js';

/** The balance: available time, and each time card (lot) with what is left and when it expires. */
export function BalanceSection({ version, onRefused }: { version: number; onRefused: () => void }) {
  const { api, t, language } = useWidget();
  const [balance, setBalance] = useState<Balance>();
  const [error, setError] = useState<string>();

  useEffect(() => {
    let current = true;
    api.balance().then(
      (answer) => {
        if (!current) return;
        setBalance(answer);
        setError(undefined);
      },
      (e: unknown) => {
        if (!current) return;
        setError(problemMessage(e, t('genericError')));
        onRefused();
      },
    );
    return () => {
      current = false;
    };
  }, [api, t, version, onRefused]);

  return (
    <section>
      <h3>{t('balance')}</h3>
      {error && (
        <p role="alert" className="alert">
          {error}
        </p>
      )}
      {balance ? (
        <>
          <p className="available" role="timer" aria-label={t('availableTime')}>
            {formatDuration(balance.availableSeconds, t)}
          </p>
          <ul aria-label={t('timeCards')}>
            {balance.lots.map((lot) => (
              <li key={lot.id}>
                {formatDuration(lot.remainingSeconds, t)} · {t('expires', { date: formatDate(lot.expiresAt, language) })}
              </li>
            ))}
          </ul>
          {balance.lots.length === 0 && <p className="muted">{t('noTimeCards')}</p>}
        </>
      ) : (
        !error && <p className="muted">{t('loading')}</p>
      )}
    </section>
  );
}
