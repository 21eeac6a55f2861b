/**
 * The tenant's hosted page (`GET /` on its host): its name, logo, colours and language around the
 * widget opened in place. Nothing of the platform's own brand: the page is the tenant's.
 */

/** What the page shows of a tenant. */
export interface HostedPageTenant {
  displayName: string;
  /** The tenant's language tag (`en`, `de-DE`). */
  language: string;
  logoUrl: string;
  primaryColor: string;
  accentColor: string;
}

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;
const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const FALLBACK = { primary: '#1f2937', accent: '#2563eb' } as const;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text and attribute values, escaped for HTML. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** An absolute http(s) URL, or undefined (a logo that is not one is left out rather than echoed). */
function webUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/** `#rrggbb` only: a colour goes into CSS, where HTML escaping does not protect. */
function colour(value: string, fallback: string): string {
  return HEX_COLOUR.test(value) ? value.toLowerCase() : fallback;
}

/**
 * The page's HTML: the loader runs inline (`data-mode="inline"`), rendering into the page's one
 * container (`data-container`, which also holds the script). Every tenant value is escaped (text,
 * attributes) or checked against a strict pattern (colours, language).
 */
export function hostedPageHtml(tenant: HostedPageTenant): string {
  const name = escapeHtml(tenant.displayName);
  const lang = LANGUAGE_TAG.test(tenant.language) ? tenant.language : 'en';
  const logo = webUrl(tenant.logoUrl);
  const primary = colour(tenant.primaryColor, FALLBACK.primary);
  const accent = colour(tenant.accentColor, FALLBACK.accent);
  const icon = logo ? `\n<link rel="icon" href="${escapeHtml(logo.href)}">` : '';
  const header = logo
    ? `<img class="logo" src="${escapeHtml(logo.href)}" alt="" width="40" height="40"><h1>${name}</h1>`
    : `<h1>${name}</h1>`;
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name}</title>${icon}
<style>
:root { --brand-primary: ${primary}; --brand-accent: ${accent}; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f8fafc; color: #111827; }
header { display: flex; align-items: center; gap: 0.75rem; padding: 1rem 1.5rem; background: var(--brand-primary); color: #fff; border-bottom: 4px solid var(--brand-accent); }
header h1 { margin: 0; font-size: 1.25rem; font-weight: 600; }
.logo { width: 40px; height: 40px; object-fit: contain; border-radius: 8px; background: #fff; }
main { flex: 1; display: flex; justify-content: center; padding: 2rem 1rem; }
#widget { width: 100%; max-width: 28rem; min-height: 32rem; }
</style>
</head>
<body>
<header>${header}</header>
<main>
<div id="widget"><script src="/widget.js" data-mode="inline" data-container="#widget" async></script></div>
</main>
</body>
</html>
`;
}

/** The origins a LiveKit URL is reached at: its WebSocket origin and, for LiveKit's HTTP calls (`/rtc/validate`), the matching http(s) one. */
function livekitOrigins(livekitUrl: string | undefined): string[] {
  const url = livekitUrl === undefined ? undefined : URL.parse(livekitUrl);
  if (!url || (url.protocol !== 'wss:' && url.protocol !== 'ws:')) return [];
  return [`${url.protocol}//${url.host}`, `${url.protocol === 'wss:' ? 'https:' : 'http:'}//${url.host}`];
}

/**
 * The page's Content-Security-Policy: scripts only from the tenant's own host (the loader and the
 * app it imports); API calls to the same host and the LiveKit server; images from the host, the
 * logo's origin and data:/blob: URLs. Inline styles are allowed (the page's colours, the widget's
 * shadow-root styles); inline scripts are not.
 */
export function hostedPageCsp(options: { logoUrl: string; livekitUrl: string | undefined; https: boolean }): string {
  const logo = webUrl(options.logoUrl);
  const directives: [string, ...string[]][] = [
    ['default-src', "'self'"],
    ['script-src', "'self'"],
    ['style-src', "'self'", "'unsafe-inline'"],
    ['img-src', "'self'", 'data:', 'blob:', ...(logo ? [logo.origin] : [])],
    ['font-src', "'self'", 'data:'],
    ['connect-src', "'self'", ...livekitOrigins(options.livekitUrl)],
    ['media-src', "'self'", 'blob:', 'mediastream:'],
    ['worker-src', "'self'", 'blob:'],
    ['object-src', "'none'"],
    ['base-uri', "'none'"],
    ['form-action', "'self'"],
    ['frame-ancestors', "'self'"],
    // Over plain http (local development) an upgrade would send the page's own requests to https.
    ...(options.https ? [['upgrade-insecure-requests'] as [string]] : []),
  ];
  return directives.map((d) => d.join(' ')).join('; ');
}
