import { useCallback, useRef, useState, useSyncExternalStore } from 'react';
import { AuthScreen } from '../features/auth/AuthScreen.js';
import { ActivateSection } from '../features/activate/ActivateSection.js';
import { BalanceSection } from '../features/balance/BalanceSection.js';
import { CallSection } from '../features/call/CallSection.js';
import { CheckoutReturn } from '../features/packages/CheckoutReturn.js';
import { PackagesSection } from '../features/packages/PackagesSection.js';
import type { CheckoutResult } from '../features/packages/checkout-return.js';
import { Panel } from '../features/panel/Panel.js';
import type { Mode } from '../loader/attributes.js';
import { useWidget } from './context.js';

export interface OpenStore {
  subscribe: (listener: () => void) => () => void;
  get: () => boolean;
  close: () => void;
}

export function App({
  store,
  mode,
  checkoutResult,
  purchaseId,
}: {
  store: OpenStore;
  mode: Mode;
  checkoutResult: CheckoutResult | undefined;
  purchaseId: string | undefined;
}) {
  const { api, t } = useWidget();
  const open = useSyncExternalStore(store.subscribe, store.get);
  const [signedIn, setSignedIn] = useState(api.signedIn);
  const [balanceVersion, setBalanceVersion] = useState(0);
  const refreshBalance = useCallback(() => setBalanceVersion((v) => v + 1), []);
  /** After any refusal: a 401 the refresh could not cure has signed the user out. */
  const checkSignedIn = useCallback(() => setSignedIn(api.signedIn), [api]);

  const packagesRef = useRef<HTMLElement>(null);
  /** "Buy more time": to the packages, focus on the first Buy button. */
  const focusPackages = useCallback(() => {
    packagesRef.current?.scrollIntoView({ block: 'nearest' });
    packagesRef.current?.querySelector('button')?.focus();
  }, []);

  return (
    <Panel open={open} mode={mode} onClose={store.close}>
      {checkoutResult && (
        <CheckoutReturn
          result={checkoutResult}
          purchaseId={purchaseId}
          signedIn={signedIn}
          onBalanceChanged={refreshBalance}
          onRefused={checkSignedIn}
        />
      )}
      {signedIn ? (
        <>
          <BalanceSection version={balanceVersion} onRefused={checkSignedIn} />
          <CallSection onEnded={refreshBalance} onBuyMore={focusPackages} onRefused={checkSignedIn} />
          <ActivateSection onActivated={refreshBalance} onRefused={checkSignedIn} />
          <PackagesSection ref={packagesRef} onRefused={checkSignedIn} />
          <div className="row">
            <button
              type="button"
              onClick={() => {
                void api.signOut().then(() => setSignedIn(false));
              }}
            >
              {t('signOut')}
            </button>
          </div>
        </>
      ) : (
        <AuthScreen onSignedIn={() => setSignedIn(true)} />
      )}
    </Panel>
  );
}
