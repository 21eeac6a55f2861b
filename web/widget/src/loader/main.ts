import type { MountApp, WidgetController } from '../app/contract.js';
import { PENDING_CHECKOUT_KEY, PENDING_SSO_KEY } from '../app/contract.js';
import { scopedStorage } from '../api/token-store.js';
import { checkoutResultOf } from '../features/packages/checkout-return.js';
import { pickLanguage, translator } from '../i18n/index.js';
import { themeColors, themeCss } from '../theme/theme.js';
import { parseLoaderAttributes, refusalMessage, type LoaderOptions } from './attributes.js';
import { loadBranding } from './branding.js';
import loaderCss from './loader.css?inline';
import { adoptStyles } from './styles.js';

/**
 * widget.js: reads its script tag, asks the tenant for its branding, and shows the launcher in a
 * shadow root; the app itself is imported on first open. No React here: this file stays small.
 */
const TAG = 'mindbot-widget';

async function start(script: HTMLScriptElement): Promise<void> {
  const options = parseLoaderAttributes(script.src, Object.fromEntries(Object.entries(script.dataset)));
  const result = await loadBranding(options.apiOrigin);
  if (!result.ok) {
    console.error(
      result.refused
        ? refusalMessage(location.origin, options.apiOrigin)
        : `MindBot widget: ${new URL(options.apiOrigin).host} answered ${result.status ?? 'nothing usable'} for its branding; the widget is not shown`,
    );
    return;
  }
  const { branding, raw } = result;
  const language = options.language ?? pickLanguage(branding.language);
  const t = translator(language);

  if (!customElements.get(TAG)) customElements.define(TAG, class MindBotWidget extends HTMLElement {});
  const host = document.createElement(TAG);
  host.dataset.tenant = new URL(options.apiOrigin).host;
  host.dataset.mode = options.mode;
  host.dataset.position = options.position;
  host.lang = language;
  const root = host.attachShadow({ mode: 'open' });
  adoptStyles(root, loaderCss + themeCss(themeColors(branding.primaryColor, branding.accentColor)));

  const container = document.createElement('div');
  container.className = 'app';
  let launcher: HTMLButtonElement | undefined;
  if (options.mode === 'launcher') {
    launcher = document.createElement('button');
    launcher.type = 'button';
    launcher.className = 'launcher';
    launcher.setAttribute('aria-expanded', 'false');
    if (branding.logoUrl) {
      const logo = document.createElement('img');
      logo.src = branding.logoUrl;
      logo.alt = '';
      launcher.append(logo);
    }
    launcher.append(t('launcher', { name: branding.displayName }));
    root.append(launcher);
  }
  root.append(container);
  place(host, script, options);

  let controller: Promise<WidgetController> | undefined;
  const open = async (): Promise<void> => {
    launcher?.setAttribute('aria-expanded', 'true');
    controller ??= import(/* @vite-ignore */ new URL(__MINDBOT_APP_ENTRY__, options.scriptUrl).href).then((module: { mount: MountApp }) =>
      module.mount({
        host,
        root,
        container,
        branding: raw,
        apiOrigin: options.apiOrigin,
        language,
        mode: options.mode,
        position: options.position,
        onClose: () => {
          launcher?.setAttribute('aria-expanded', 'false');
          launcher?.focus();
        },
      }),
    );
    try {
      (await controller).open();
    } catch (error) {
      controller = undefined;
      launcher?.setAttribute('aria-expanded', 'false');
      console.error('MindBot widget: the app could not be loaded', error);
    }
  };
  const toggle = launcher;
  toggle?.addEventListener('click', () => {
    if (toggle.getAttribute('aria-expanded') === 'true') void controller?.then((c) => c.close());
    else void open();
  });
  if (options.open || returningHere(options)) void open();
}

/** Reopen after a redirect this tenant's widget started (Checkout, SSO), or on billing's return page on the tenant's own host. */
function returningHere(options: LoaderOptions): boolean {
  let storage: Storage | undefined;
  try {
    storage = sessionStorage;
  } catch {
    storage = undefined;
  }
  const scoped = scopedStorage(storage, new URL(options.apiOrigin).host);
  const result = checkoutResultOf(location.href);
  if (result && (scoped.getItem(PENDING_CHECKOUT_KEY) !== null || location.origin === options.apiOrigin)) return true;
  return scoped.getItem(PENDING_SSO_KEY) !== null && /[#&](code|error)=/.test(location.hash);
}

function place(host: HTMLElement, script: HTMLScriptElement, options: LoaderOptions): void {
  if (options.mode === 'inline') {
    const target = options.container ? document.querySelector(options.container) : null;
    if (target) {
      target.append(host);
      return;
    }
    if (script.parentElement && script.parentElement !== document.head) {
      script.after(host);
      return;
    }
  }
  document.body.append(host);
}

const current = document.currentScript;
if (current instanceof HTMLScriptElement && current.src) {
  const script = current;
  const run = (): void => void start(script);
  // An async script may run before <body> exists.
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run, { once: true });
  else run();
} else {
  console.error('MindBot widget: load widget.js with a <script src="https://<tenant host>/widget.js"> tag');
}
