import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { fail, ok, type Result } from '@mindbot/errors';
import { SAML, ValidateInResponseTo, type SamlConfig } from '@node-saml/node-saml';
import type { SamlConnection } from '../data/connection-repository.js';
import type { EphemeralStore } from '../data/ephemeral-store.js';
import { samlIdCache } from './saml-id-cache.js';
import { samlEndpoints, samlOptionsFor } from './saml-login.js';
import {
  assertUniqueIds,
  childElementsNS,
  parseUntrustedXml,
  SAML_ASSERTION_NS,
  SAML_PROTOCOL_NS,
  XMLDSIG_NS,
  XmlGuardError,
} from './xml-guard.js';

/** How long a LogoutRequest this SP sent waits for the IdP's LogoutResponse. */
export const SAML_LOGOUT_TTL_SECONDS = 10 * 60;

const UNSPECIFIED = 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified';

interface LogoutContext {
  tenant: string;
  origin: string;
  connection: SamlConnection;
  store: EphemeralStore;
  clockSkewSeconds: number;
}

function logoutConfig(context: LogoutContext): SamlConfig {
  // LogoutRequest ids kept apart from AuthnRequest ids: one can never stand in for the other's InResponseTo.
  return {
    ...samlOptionsFor(context),
    cacheProvider: samlIdCache(context.store, context.tenant, {
      kind: 'logout',
      connectionId: context.connection.id,
      ttlSeconds: SAML_LOGOUT_TTL_SECONDS,
    }),
  };
}

/**
 * The URL of a signed LogoutRequest (HTTP-Redirect binding) for a session signed in through this
 * connection, or undefined when the connection cannot send one (no IdP SLO URL, or no SP key to sign with).
 */
export async function spLogoutUrl(
  context: LogoutContext,
  session: { nameId: string; sessionIndex: string | null },
): Promise<string | undefined> {
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

/** The InResponseTo of an accepted LogoutResponse, or why it was refused (audited, not told). */
export type LogoutResponseOutcome = Result<string, string>;

/**
 * The IdP's LogoutResponse to a LogoutRequest this SP sent (HTTP-Redirect binding): it must be
 * signed by one of the connection's certificates, come from its IdP, report success, and answer a
 * pending request of this connection, which it uses up.
 */
export async function acceptLogoutResponse(
  context: LogoutContext,
  query: Record<string, unknown>,
  rawQuery: string,
): Promise<LogoutResponseOutcome> {
  const samlResponse = query.SAMLResponse;
  if (typeof samlResponse !== 'string' || samlResponse.length === 0) return fail('saml_logout_response_missing');
  if (typeof query.Signature !== 'string' || typeof query.SigAlg !== 'string') return fail('saml_logout_response_unsigned');
  let inResponseTo: string;
  try {
    const xml = inflateRawSync(Buffer.from(samlResponse, 'base64'), { maxOutputLength: 256 * 1024 }).toString('utf8');
    if (/<!DOCTYPE|<!ENTITY/i.test(xml)) return fail('saml_logout_response_invalid', 'doctype');
    const root = new DOMParser().parseFromString(xml, 'text/xml').documentElement;
    if (root.localName !== 'LogoutResponse') return fail('saml_logout_response_invalid', 'not a LogoutResponse');
    inResponseTo = root.getAttribute('InResponseTo') ?? '';
  } catch {
    return fail('saml_logout_response_invalid', 'unreadable');
  }
  if (!inResponseTo) return fail('saml_logout_in_response_to_missing');
  const config = logoutConfig(context);
  try {
    await new SAML(config).validateRedirectAsync(
      { SAMLResponse: samlResponse, Signature: query.Signature, SigAlg: query.SigAlg },
      rawQuery,
    );
  } catch (error) {
    return fail('saml_logout_response_invalid', error instanceof Error ? error.message.slice(0, 200) : undefined);
  }
  // Single use: a LogoutResponse replayed (or answered twice) finds nothing pending.
  if ((await config.cacheProvider?.removeAsync(inResponseTo)) == null) return fail('saml_logout_in_response_to_unknown');
  return ok(inResponseTo);
}

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/**
 * The IdP's LogoutResponse to a LogoutRequest this SP sent, by HTTP-POST (a base64 XML document in a
 * form): the same rules as by HTTP-Redirect, with the signature inside the XML. node-saml verifies
 * that signature (enveloped, over the LogoutResponse root, by one of the connection's certificates);
 * it leaves the status, issuer, destination and InResponseTo of a posted LogoutResponse unchecked,
 * so those are read here from that same signed root.
 */
export async function acceptPostedLogoutResponse(
  context: LogoutContext,
  samlResponse: string,
  maxBytes: number,
): Promise<LogoutResponseOutcome> {
  let root: Element;
  try {
    const doc = parseUntrustedXml(Buffer.from(samlResponse, 'base64').toString('utf8'), { maxBytes, allowComments: false });
    assertUniqueIds(doc);
    root = doc.documentElement;
  } catch (error) {
    return fail('saml_logout_response_invalid', error instanceof XmlGuardError ? error.reason : 'unreadable');
  }
  if (root.localName !== 'LogoutResponse' || root.namespaceURI !== SAML_PROTOCOL_NS)
    return fail('saml_logout_response_invalid', 'not a LogoutResponse');
  if (childElementsNS(root, XMLDSIG_NS, 'Signature').length === 0) return fail('saml_logout_response_unsigned');
  const inResponseTo = root.getAttribute('InResponseTo') ?? '';
  if (!inResponseTo) return fail('saml_logout_in_response_to_missing');
  // InResponseTo is checked below against the logout requests of this connection (node-saml would look
  // for it on a login Response only, and with `always` refuse every LogoutResponse for lacking one).
  const config: SamlConfig = { ...logoutConfig(context), validateInResponseTo: ValidateInResponseTo.never };
  try {
    const result = await new SAML(config).validatePostResponseAsync({ SAMLResponse: samlResponse });
    if (!result.loggedOut) return fail('saml_logout_response_invalid', 'not a logout');
  } catch (error) {
    return fail('saml_logout_response_invalid', error instanceof Error ? error.message.slice(0, 200) : undefined);
  }
  const issuer = childElementsNS(root, SAML_ASSERTION_NS, 'Issuer')[0]?.textContent.trim();
  if (issuer !== context.connection.settings.idpEntityId) return fail('saml_logout_issuer_mismatch');
  const status = childElementsNS(root, SAML_PROTOCOL_NS, 'Status')[0];
  const code = status ? childElementsNS(status, SAML_PROTOCOL_NS, 'StatusCode')[0]?.getAttribute('Value') : undefined;
  if (code !== SUCCESS) return fail('saml_logout_status_not_success', code?.slice(0, 200));
  // A signed message sent through the browser must name where it was sent (SAML bindings 3.5.5.2).
  if (root.getAttribute('Destination') !== samlEndpoints(context.origin, context.connection.id).sloUrl)
    return fail('saml_logout_destination_mismatch');
  // Single use, as by HTTP-Redirect: a replayed (or second) answer finds nothing pending.
  if ((await config.cacheProvider?.removeAsync(inResponseTo)) == null) return fail('saml_logout_in_response_to_unknown');
  return ok(inResponseTo);
}
