import { pickLanguage, type Language } from '../i18n/index.js';

export type Position = 'bottom-right' | 'bottom-left';
export type Mode = 'launcher' | 'inline';

/** What the `<script src=".../widget.js" data-…>` tag asks for. */
export interface LoaderOptions {
  /** The tenant's origin, where widget.js came from: the API and the app files live there. */
  apiOrigin: string;
  /** The URL widget.js was loaded from (the app's chunks are resolved against it). */
  scriptUrl: string;
  position: Position;
  /** Undefined: follow the tenant's language, then the page's. */
  language: Language | undefined;
  open: boolean;
  mode: Mode;
  /** For inline mode: a CSS selector of the element to render into (else: where the script tag is). */
  container: string | undefined;
}

/** Reads the script tag's `src` and `data-*` attributes; unknown values fall back to the defaults. */
export function parseLoaderAttributes(src: string, data: Readonly<Record<string, string | undefined>>): LoaderOptions {
  const url = new URL(src);
  const language = data.language === undefined || data.language === '' ? undefined : pickLanguage(data.language);
  const mode: Mode = data.mode === 'inline' ? 'inline' : 'launcher';
  return {
    apiOrigin: url.origin,
    scriptUrl: url.href,
    position: data.position === 'bottom-left' ? 'bottom-left' : 'bottom-right',
    language,
    open: mode === 'inline' || data.open === 'true' || data.open === '',
    mode,
    container: data.container === undefined || data.container === '' ? undefined : data.container,
  };
}

/** The message a page gets when its origin may not embed the tenant's widget. */
export function refusalMessage(pageOrigin: string, apiOrigin: string): string {
  return `MindBot widget: this site (${pageOrigin}) is not allowed to embed ${new URL(apiOrigin).host}; add it to the tenant's allowed origins`;
}
