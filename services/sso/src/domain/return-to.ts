/**
 * Where a browser sign-in may send the user back: only the tenant's own origins (its platform hosts
 * and the domains the platform serves it at), on the scheme the platform is reached at, and the
 * websites the tenant lets embed its widget (exact origins). Anything else is refused, so the
 * sign-in can never be used as an open redirect or to hand a code to someone else's page.
 */
export interface ReturnToPolicy {
  /** The origin the sign-in request reached the platform at (scheme, host and port), e.g. https://acme.mindbot.ai */
  origin: string;
  /** Lower-case host names that are the tenant's own. */
  hosts: readonly string[];
  /** Origins of the websites that embed the tenant's widget (`embedOrigins`): accepted exactly as listed. */
  embedOrigins?: readonly string[];
}

/**
 * The URL to redirect to (re-serialised by the WHATWG parser, so what is checked is what is sent), or
 * undefined when `raw` is not one of the tenant's origins. A fragment is refused because the code
 * travels in the fragment; credentials in the URL are refused because browsers show them as the host.
 * Ports: the origin the sign-in came in on is always accepted; otherwise https only on its default
 * port, and plain http (development only) on any port of the tenant's own host names, because
 * local set-ups serve on arbitrary ports.
 */
export function checkReturnTo(raw: string, policy: ReturnToPolicy): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '' || raw.includes('#')) return undefined;
  // An embedding site signs its users in on its own page; the manifest states its origin exactly (scheme and port too).
  if (policy.embedOrigins?.includes(url.origin)) return url;
  const origin = new URL(policy.origin);
  if (url.protocol !== origin.protocol) return undefined;
  if (!policy.hosts.includes(url.hostname.toLowerCase())) return undefined;
  if (url.protocol === 'https:' && url.port !== '' && url.origin !== origin.origin) return undefined;
  return url;
}
