import { MindBotApiError } from '@mindbot/sdk';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useConsole } from '../../app/context.js';
import { ErrorAlert, Loading } from '../../components/Alerts.js';
import { AuthFrame } from './AuthFrame.js';

/** The code in `#code=…`, read once: the page removes it from the address bar before redeeming it. */
function takeCode(): string {
  const code = new URLSearchParams(location.hash.slice(1)).get('code') ?? '';
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  return code;
}

/** /console/handoff#code=…: a reseller's single-use link into this console, redeemed for a session here. */
export function HandoffPage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const { api, t } = useConsole();
  const navigate = useNavigate();
  const [code] = useState(takeCode);
  const [error, setError] = useState<unknown>();
  // The code works once: a second effect run (a remount) must not spend a second request on it.
  const started = useRef(false);

  useEffect(() => {
    if (started.current || code === '') return;
    started.current = true;
    api
      .redeemHandoff(code)
      .then(onSignedIn)
      .then(() => navigate('/', { replace: true }))
      .catch((e: unknown) => setError(e));
  }, [api, code, navigate, onSignedIn]);

  const refused = code === '' || (error instanceof MindBotApiError && error.status < 500);
  return (
    <AuthFrame title={t('handoffTitle')}>
      {refused ? (
        <p role="alert" className="alert error">
          {t('handoffRefused')}
        </p>
      ) : error !== undefined ? (
        <ErrorAlert error={error} />
      ) : (
        <Loading />
      )}
      {(refused || error !== undefined) && (
        <Link to="/sign-in" className="button primary wide">
          {t('backToSignIn')}
        </Link>
      )}
    </AuthFrame>
  );
}
