import { createRoot } from 'react-dom/client';
import { WidgetApi } from '../api/widget-api.js';
import { translator } from '../i18n/index.js';
import { adoptStyles } from '../loader/styles.js';
import { checkoutResultOf, purchaseIdOf, withoutCheckoutResult } from '../features/packages/checkout-return.js';
import { App, type OpenStore } from './App.js';
import type { MountApp } from './contract.js';
import { WidgetContext } from './context.js';
import styles from './styles.css?inline';

/** The app's entry (dist/widget/app-<hash>.js): the loader imports it on first open and calls `mount`. */
export const mount: MountApp = (options) => {
  let storage: Storage | undefined;
  try {
    storage = sessionStorage;
  } catch {
    storage = undefined;
  }
  const api = new WidgetApi({ origin: options.apiOrigin, ...(storage ? { storage } : {}) });
  const branding = api.parseBranding(options.branding);
  const t = translator(options.language);
  adoptStyles(options.root, styles);

  const checkout = checkoutResultOf(location.href);
  const pendingCheckout = api.hasPendingCheckout();
  const checkoutResult = checkout && (pendingCheckout || location.origin === api.origin) ? checkout : undefined;
  let purchaseId: string | undefined;
  if (checkoutResult) {
    // The id Checkout came back with; else the purchase this widget sent there.
    const pendingId = api.takePendingCheckout();
    purchaseId = purchaseIdOf(location.href) ?? pendingId;
    history.replaceState(history.state, '', withoutCheckoutResult(location.href));
  }

  const listeners = new Set<() => void>();
  let isOpen = false;
  const setOpen = (next: boolean): void => {
    isOpen = next;
    for (const listener of listeners) listener();
  };
  const store: OpenStore = {
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get: () => isOpen,
    close: () => {
      setOpen(false);
      options.onClose();
    },
  };

  createRoot(options.container).render(
    <WidgetContext value={{ api, branding, t, language: options.language, root: options.root }}>
      <App store={store} mode={options.mode} checkoutResult={checkoutResult} purchaseId={purchaseId} />
    </WidgetContext>,
  );
  return { open: () => setOpen(true), close: () => store.close() };
};
