import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { fail, ok, type Result } from '@mindbot/errors';

/** Resolves a host name to every address it has (dns.lookup, as connections do). */
export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolve: Resolve = (host) => lookup(host, { all: true, order: 'verbatim' });

export interface TargetPolicy {
  /** WEBHOOKS_ALLOW_PRIVATE_TARGETS: http:// and private, loopback and link-local addresses allowed (tests, local development). */
  allowPrivateTargets: boolean;
  resolve?: Resolve;
}

export type TargetRefusal = 'not_https' | 'private_address' | 'unresolvable' | 'credentials';

/**
 * Why an address may not be a webhook target, or undefined when it may. Only globally routable
 * unicast is allowed: ipaddr.js names every special range (private, loopback, link-local and so
 * cloud metadata, CGNAT, multicast, unique-local, NAT64, 6to4, Teredo, reserved…), and
 * IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
 */
export function refusedAddress(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return range === 'unicast' ? undefined : range;
}

/**
 * Checks a webhook URL against the policy, resolving its host now; at delivery the connection is
 * made only to an address checked the same way ({@link pinnedLookup}), as DNS may have changed.
 */
export async function checkWebhookTarget(url: string, policy: TargetPolicy): Promise<Result<URL, TargetRefusal>> {
  const parsed = new URL(url);
  if (parsed.username || parsed.password) return fail('credentials', 'must not carry a user name or password');
  if (parsed.protocol !== 'https:' && !(policy.allowPrivateTargets && parsed.protocol === 'http:'))
    return fail('not_https', 'must be an https URL');
  if (policy.allowPrivateTargets) return ok(parsed);
  const addresses = await resolveAll(parsed.hostname, policy.resolve ?? systemResolve);
  if (!addresses.ok) return addresses;
  return ok(parsed);
}

async function resolveAll(hostname: string, resolve: Resolve): Promise<Result<{ address: string; family: number }[], TargetRefusal>> {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      return fail('unresolvable', `${host} does not resolve`);
    }
  }
  if (addresses.length === 0) return fail('unresolvable', `${host} does not resolve`);
  // All of them: a name with one public and one private address could be connected to either.
  for (const { address } of addresses) {
    const refused = refusedAddress(address);
    if (refused) return fail('private_address', `${host} resolves to ${address} (${refused}), which is not a public address`);
  }
  return ok(addresses);
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;

/**
 * A `lookup` for http.request that resolves, checks every address, and hands the socket only
 * checked ones, so the address connected to is the address checked (no DNS rebinding in between).
 */
export function pinnedLookup(policy: TargetPolicy) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    const resolve = policy.resolve ?? systemResolve;
    const resolved = policy.allowPrivateTargets ? resolve(hostname).then((addresses) => ok(addresses)) : resolveAll(hostname, resolve);
    resolved.then(
      (result) => {
        if (!result.ok) {
          callback(Object.assign(new Error(result.detail ?? result.failure), { code: 'EWEBHOOKTARGET' }), '', 0);
          return;
        }
        const [first] = result.value;
        if (options.all) callback(null, result.value);
        else if (first) callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), '', 0),
    );
  };
}

/** An IP-literal host is never looked up by the socket: it is checked here instead. */
export function refusedLiteralHost(url: URL, policy: TargetPolicy): string | undefined {
  if (policy.allowPrivateTargets) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!isIP(host)) return undefined;
  const refused = refusedAddress(host);
  return refused ? `${host} is not a public address (${refused})` : undefined;
}
