import { ValidateInResponseTo, type CacheProvider, type Profile, type SamlConfig } from '@node-saml/node-saml';
import type { EphemeralStore } from '../data/ephemeral-store.js';
import type { SamlConnection } from '../data/connection-repository.js';
import { pemCertificate } from './connection-settings.js';
import type { AssertedIdentity } from './provisioning.js';
import { samlIdCache } from './saml-id-cache.js';
import { putSamlRelay, type SignInRelay } from './sign-in-relay.js';
import { childElementsNS, firstElementNS, parseUntrustedXml, SAML_ASSERTION_NS, XmlGuardError } from './xml-guard.js';

/** How long this SP remembers an AuthnRequest it sent (the InResponseTo it will accept). */
export const SAML_REQUEST_TTL_SECONDS = 600;

export interface SamlEndpoints {
  entityId: string;
  acsUrl: string;
  sloUrl: string;
  metadataUrl: string;
}

export function samlEndpoints(origin: string, connectionId: string): SamlEndpoints {
  const base = `${origin}/v1/sso/saml/${connectionId}`;
  return { entityId: base, acsUrl: `${base}/acs`, sloUrl: `${base}/slo`, metadataUrl: `${base}/metadata` };
}

/**
 * The InResponseTo cache of one connection: request ids are stored under the connection, so a
 * response to a request sent for another connection (or tenant) is unknown here. A browser
 * sign-in's relay (returnTo, PKCE challenge) is saved beside the request id it belongs to.
 */
export function requestIdCache(store: EphemeralStore, tenant: string, connectionId: string, relay?: SignInRelay): CacheProvider {
  return samlIdCache(store, tenant, { kind: 'request', connectionId, ttlSeconds: SAML_REQUEST_TTL_SECONDS }, relay && ((id) => putSamlRelay(store, tenant, connectionId, id, relay, SAML_REQUEST_TTL_SECONDS)));
}

/** node-saml options for one connection, with the checks its defaults leave off turned on. */
export function samlOptionsFor(options: { tenant: string; origin: string; connection: SamlConnection; store: EphemeralStore; clockSkewSeconds: number; relay?: SignInRelay | undefined }): SamlConfig {
  const { connection } = options;
  const endpoints = samlEndpoints(options.origin, connection.id);
  const spKey = connection.secrets.spPrivateKey;
  return {
    issuer: endpoints.entityId,
    audience: endpoints.entityId,
    callbackUrl: endpoints.acsUrl,
    logoutCallbackUrl: endpoints.sloUrl,
    entryPoint: connection.settings.idpSsoUrl,
    ...(connection.settings.idpSloUrl ? { logoutUrl: connection.settings.idpSloUrl } : {}),
    idpCert: connection.settings.idpCertificates.map(pemCertificate),
    idpIssuer: connection.settings.idpEntityId,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    acceptedClockSkewMs: options.clockSkewSeconds * 1000,
    maxAssertionAgeMs: 0,
    validateInResponseTo: connection.settings.allowIdpInitiated ? ValidateInResponseTo.ifPresent : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: SAML_REQUEST_TTL_SECONDS * 1000,
    cacheProvider: requestIdCache(options.store, options.tenant, connection.id, options.relay),
    identifierFormat: connection.settings.nameIdFormat ?? null,
    disableRequestedAuthnContext: true,
    ...(spKey ? { privateKey: spKey, decryptionPvk: spKey } : {}),
  };
}

export type SamlCheckOutcome =
  | { ok: true; identity: AssertedIdentity; sessionIndex: string | undefined; nameId: string }
  | { ok: false; reason: string; detail?: string };

function attributeValues(assertion: Element, name: string): string[] {
  const out: string[] = [];
  const attributes = assertion.getElementsByTagNameNS(SAML_ASSERTION_NS, 'Attribute');
  for (let i = 0; i < attributes.length; i++) {
    const attribute = attributes.item(i);
    if (attribute?.getAttribute('Name') !== name) continue;
    for (const value of childElementsNS(attribute, SAML_ASSERTION_NS, 'AttributeValue')) out.push(value.textContent);
  }
  return out;
}

/**
 * What this SP checks after node-saml accepted the signature, on the verified assertion only:
 * issuer, bearer Recipient, Destination, encryption when required, and that the assertion was never
 * used before (replay cache until it expires).
 */
export async function checkVerifiedAssertion(options: {
  tenant: string;
  connection: SamlConnection;
  endpoints: SamlEndpoints;
  profile: Profile;
  responseDestination: string | null;
  wasEncrypted: boolean;
  store: EphemeralStore;
  clockSkewSeconds: number;
  maxBytes: number;
}): Promise<SamlCheckOutcome> {
  const { profile, connection, endpoints } = options;
  if (connection.settings.requireEncryptedAssertions && !options.wasEncrypted) return { ok: false, reason: 'assertion_not_encrypted' };
  if (options.responseDestination !== endpoints.acsUrl) return { ok: false, reason: 'destination_mismatch' };
  if (profile.issuer !== connection.settings.idpEntityId) return { ok: false, reason: 'issuer_mismatch' };
  const assertionXml = profile.getAssertionXml?.();
  if (!assertionXml) return { ok: false, reason: 'assertion_missing' };
  let assertion: Element;
  try {
    const doc = parseUntrustedXml(assertionXml, { maxBytes: options.maxBytes, allowComments: false });
    const root = doc.documentElement as Element | null;
    if (root?.localName !== 'Assertion') return { ok: false, reason: 'assertion_missing' };
    assertion = root;
  } catch (error) {
    return { ok: false, reason: error instanceof XmlGuardError ? error.reason : 'xml_malformed' };
  }
  const subject = firstElementNS(assertion, SAML_ASSERTION_NS, 'Subject');
  const confirmations = subject ? childElementsNS(subject, SAML_ASSERTION_NS, 'SubjectConfirmation') : [];
  const bearer = confirmations.filter((c) => c.getAttribute('Method') === 'urn:oasis:names:tc:SAML:2.0:cm:bearer');
  const recipients = bearer.flatMap((c) => childElementsNS(c, SAML_ASSERTION_NS, 'SubjectConfirmationData').map((d) => d.getAttribute('Recipient')));
  if (recipients.length === 0 || recipients.some((r) => r !== endpoints.acsUrl)) return { ok: false, reason: 'recipient_mismatch' };
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) return { ok: false, reason: 'assertion_id_missing' };
  const conditions = firstElementNS(assertion, SAML_ASSERTION_NS, 'Conditions');
  const notOnOrAfter = Date.parse(conditions?.getAttribute('NotOnOrAfter') ?? '');
  const ttl = Number.isFinite(notOnOrAfter) ? Math.max(60, Math.ceil((notOnOrAfter - Date.now()) / 1000) + options.clockSkewSeconds) : 24 * 3600;
  if (!(await options.store.markOnce(options.tenant, ['saml', 'assertion', connection.id, assertionId.slice(0, 200)], Math.min(ttl, 7 * 24 * 3600)))) {
    return { ok: false, reason: 'assertion_replayed' };
  }
  const nameId = profile.nameID;
  if (!nameId) return { ok: false, reason: 'name_id_missing' };
  const email = attributeValues(assertion, connection.settings.emailAttribute)[0] ?? (nameId.includes('@') ? nameId : undefined);
  const displayName = attributeValues(assertion, connection.settings.displayNameAttribute)[0];
  return {
    ok: true,
    nameId,
    sessionIndex: profile.sessionIndex,
    identity: { issuer: connection.settings.idpEntityId, subject: nameId, email, displayName, groups: attributeValues(assertion, connection.settings.groupsAttribute) },
  };
}
