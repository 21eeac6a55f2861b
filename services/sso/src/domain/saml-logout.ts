import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { SAML, type CacheItem, type CacheProvider, type SamlConfig } from '@node-saml/node-saml';
import type { SamlConnection } from '../data/connection-repository.js';
import type { EphemeralStore } from '../data/ephemeral-store.js';
import { samlOptionsFor } from './saml-login.js';

/** How long a LogoutRequest this SP sent waits for the IdP's LogoutResponse. */
export const SAML_LOGOUT_TTL_SECONDS = 10 * 60;

const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

/**
 * The LogoutRequests this SP sent for one connection, kept apart from its AuthnRequests so that a
 * LogoutRequest id can never stand in for the InResponseTo of a login (and the reverse).
 */
function logoutRequestCache(store: EphemeralStore, tenant: string, connectionId: string): CacheProvider {
  const key = (id: string) => ['saml', 'logout', connectionId, id.slice(0, 200)];
  return {
    async saveAsync(id: string, value: string): Promise<CacheItem | null> {
      await store.put(tenant, key(id), value, SAML_LOGOUT_TTL_SECONDS);
      return { value, createdAt: Date.now() };
    },
    async getAsync(id: string): Promise<string | null> {
      return (await store.get(tenant, key(id))) ?? null;
    },
    async removeAsync(id: string | null): Promise<string | null> {
      if (id === null) return null;
      return (await store.take(tenant, key(id))) ?? null;
    },
  };
}

interface LogoutContext {
  tenant: string;
  origin: string;
  connection: SamlConnection;
  store: EphemeralStore;
  clockSkewSeconds: number;
}

function logoutConfig(context: LogoutContext): SamlConfig {
  return { ...samlOptionsFor(context), cacheProvider: logoutRequestCache(context.store, context.tenant, context.connection.id) };
}

/**
 * The URL of a signed LogoutRequest (HTTP-Redirect binding) for a session signed in through this
 * connection, or undefined when the connection cannot send one (no IdP SLO URL, or no SP key to sign with).
 */
export async function spLogoutUrl(context: LogoutContext, session: { nameId: string; sessionIndex: string | null }): Promise<string | undefined> {
  const { connection } = context;
  if (!connection.settings.idpSloUrl || !connection.secrets.spPrivateKey) return undefined;
  const saml = new SAML(logoutConfig(context));
  return saml.getLogoutUrlAsync(
    {
      issuer: connection.settings.idpEntityId,
      nameID: session.nameId,
      nameIDFormat: connection.settings.nameIdFormat ?? UNSPECIFIED,
      ...(session.sessionIndex ? { sessionIndex: session.sessionIndex } : {}),
    },
    '',
    {},
  );
}

export type LogoutResponseOutcome = { ok: true; inResponseTo: string } | { ok: false; reason: string; detail?: string };

/**
 * The IdP's LogoutResponse to a LogoutRequest this SP sent (HTTP-Redirect binding): it must be
 * signed by one of the connection's certificates, come from its IdP, report success, and answer a
 * pending request of this connection, which it uses up.
 */
export async function acceptLogoutResponse(context: LogoutContext, query: Record<string, unknown>, rawQuery: string): Promise<LogoutResponseOutcome> {
  const samlResponse = query.SAMLResponse;
  if (typeof samlResponse !== 'string' || samlResponse.length === 0) return { ok: false, reason: 'saml_logout_response_missing' };
  if (typeof query.Signature !== 'string' || typeof query.SigAlg !== 'string') return { ok: false, reason: 'saml_logout_response_unsigned' };
  let inResponseTo: string;
  try {
    const xml = inflateRawSync(Buffer.from(samlResponse, 'base64'), { maxOutputLength: 256 * 1024 }).toString('utf8');
    if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return { ok: false, reason: 'saml_logout_response_invalid', detail: 'doctype' };
    const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
    if (root.localName !== 'LogoutResponse') return { ok: false, reason: 'saml_logout_response_invalid', detail: 'not a LogoutResponse' };
    inResponseTo = root.getAttribute('InResponseTo') ?? '';
  } catch {
    return { ok: false, reason: 'saml_logout_response_invalid', detail: 'unreadable' };
  }
  if (!inResponseTo) return { ok: false, reason: 'saml_logout_in_response_to_missing' };
  const config = logoutConfig(context);
  try {
    await new SAML(config).validateRedirectAsync({ SAMLResponse: samlResponse, Signature: query.Signature, SigAlg: query.SigAlg }, rawQuery);
  } catch (error) {
    return { ok: false, reason: 'saml_logout_response_invalid', detail: error instanceof Error ? error.message.slice(0, 200) : undefined };
  }
  // Single use: a LogoutResponse replayed (or answered twice) finds nothing pending.
  if ((await config.cacheProvider?.removeAsync(inResponseTo)) == null) return { ok: false, reason: 'saml_logout_in_response_to_unknown' };
  return { ok: true, inResponseTo };
}
