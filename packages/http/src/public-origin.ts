import type { Request } from 'express';
import { AppError } from '@mindbot/errors';
import { hostOf } from './request-guards.js';

export type PublicScheme = 'http' | 'https';

/**
 * The origin a client reached the platform at — scheme, host and port — from which every URL the
 * platform hands out is built: `http://initech.localhost:8080` locally, `https://voice.acme.example`
 * in production. Read as express reads it under `trust proxy` (TRUST_PROXY): `X-Forwarded-Proto`
 * and `X-Forwarded-Host` (with its port) only from a hop it trusts; from anyone else the
 * connection itself and `Host`. The scheme's default port is left out. `scheme: 'https'`
 * (PUBLIC_SCHEME) makes the origin https whatever the request says, for TLS ended by a proxy
 * this service does not trust. A host that is not a DNS name, or a port that is not a port, is a 400.
 */
export function publicOriginOf(req: Request, options: { scheme?: PublicScheme } = {}): string {
  const hostname = hostOf(req);
  const port = portOf(req);
  const scheme: PublicScheme = options.scheme === 'https' || req.protocol.toLowerCase() === 'https' ? 'https' : 'http';
  return new URL(`${scheme}://${hostname}${port === undefined ? '' : `:${port}`}`).origin;
}

/**
 * For a service clients reach only through the gateway: the public origin the gateway forwarded,
 * or undefined when the request did not come from a hop TRUST_PROXY trusts or names no
 * `X-Forwarded-Host` (its `Host` is then this service's own address, not one the platform is
 * reached at, and an `X-Forwarded-Host` a client sent is not believed).
 */
export function forwardedOriginOf(req: Request): string | undefined {
  if (!req.get('x-forwarded-host') || !fromTrustedProxy(req)) return undefined;
  return publicOriginOf(req);
}

type TrustProxyFn = (address: string | undefined, hop: number) => boolean;

function isTrustProxyFn(value: unknown): value is TrustProxyFn {
  return typeof value === 'function';
}

/** Whether the hop the request came from may set X-Forwarded-*, as express decides it. */
function fromTrustedProxy(req: Request): boolean {
  const trust: unknown = req.app.get('trust proxy fn');
  return isTrustProxyFn(trust) && trust(req.socket.remoteAddress, 0);
}

/** The port of the host hostOf read (`Host`, or a trusted `X-Forwarded-Host`); hostOf has refused bracketed IP literals. */
function portOf(req: Request): string | undefined {
  const host = (req.host as string | undefined) ?? '';
  const colon = host.indexOf(':');
  const port = colon === -1 ? '' : host.slice(colon + 1);
  if (port === '') return undefined;
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)
    throw new AppError('bad_request', 'The Host header does not name a valid port.');
  return port;
}
