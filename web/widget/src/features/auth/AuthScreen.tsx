import { useEffect, useId, useState, type SyntheticEvent } from 'react';
import { problemMessage } from '../../api/widget-api.js';
import { useWidget } from '../../app/context.js';

/** Signed out: password sign-in or sign-up, and one button per SSO connection (the SDK's redirect flow). */
export function AuthScreen({ onSignedIn }: { onSignedIn: () => void }) {
  const { api, branding, t } = useWidget();
  const [mode, setMode] = useState<'signIn' | 'signUp'>('signIn');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const emailId = useId();
  const passwordId = useId();

  // Back from the identity provider (…#code=…): redeem the code once, and clear it from the address bar.
  useEffect(() => {
    if (!api.isSsoReturn(location.href)) return;
    const href = location.href;
    history.replaceState(history.state, '', location.pathname + location.search);
    setBusy(true);
    api.completeSso(href).then(onSignedIn, (e: unknown) => {
      setError(problemMessage(e, t('genericError')));
      setBusy(false);
    });
  }, [api, onSignedIn, t]);

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (mode === 'signIn') await api.signIn(email, password);
      else await api.signUp(email, password);
      onSignedIn();
    } catch (e) {
      setError(problemMessage(e, t('genericError')));
      setBusy(false);
    }
  };

  const sso = async (connectionId: string) => {
    setBusy(true);
    setError(undefined);
    try {
      location.assign(await api.startSso(connectionId, location.origin + location.pathname + location.search));
    } catch (e) {
      setError(problemMessage(e, t('genericError')));
      setBusy(false);
    }
  };

  return (
    <section>
      <h3>{t(mode === 'signIn' ? 'signInTitle' : 'signUpTitle')}</h3>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor={emailId}>{t('email')}</label>
        <input
          id={emailId}
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor={passwordId}>{t('password')}</label>
        <input
          id={passwordId}
          type="password"
          name="password"
          autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {error && (
          <p role="alert" className="alert">
            {error}
          </p>
        )}
        <div className="row">
          <button type="submit" className="primary" disabled={busy}>
            {t(mode === 'signIn' ? 'signIn' : 'signUp')}
          </button>
          <button
            type="button"
            onClick={() => {
              setMode(mode === 'signIn' ? 'signUp' : 'signIn');
              setError(undefined);
            }}
          >
            {t(mode === 'signIn' ? 'createAccount' : 'haveAccount')}
          </button>
        </div>
      </form>
      {(branding.ssoConnections ?? []).length > 0 && (
        <div className="row" style={{ marginTop: 12 }}>
          {(branding.ssoConnections ?? []).map((connection) => (
            <button key={connection.id} type="button" disabled={busy} onClick={() => void sso(connection.id)}>
              {t('continueWith', { name: connection.name })}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}
