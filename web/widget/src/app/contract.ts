import type { Language } from '../i18n/index.js';
import type { Mode, Position } from '../loader/attributes.js';

/** What the loader hands the app when it is first opened (the app's default export `mount`). */
export interface MountOptions {
  /** The `<mindbot-widget>` element and its open shadow root. */
  host: HTMLElement;
  root: ShadowRoot;
  /** Where in the shadow root the panel renders. */
  container: HTMLElement;
  /** The answer of GET /v1/branding as the loader received it (the app validates it). */
  branding: unknown;
  apiOrigin: string;
  language: Language;
  mode: Mode;
  position: Position;
  /** Called when the panel closes itself (Close, Esc): the loader updates the launcher and takes focus back. */
  onClose: () => void;
}

export interface WidgetController {
  open(): void;
  close(): void;
}

export type MountApp = (options: MountOptions) => WidgetController;

/** Storage keys (scoped to the tenant host) the loader reads to reopen the widget after a redirect. */
export const PENDING_CHECKOUT_KEY = 'checkout.pending';
export const PENDING_SSO_KEY = 'sso.pending';
