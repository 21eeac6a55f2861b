import { fail, ok, type Result } from '@mindbot/errors';
import { ValidateInResponseTo, type CacheProvider, type Profile, type SamlConfig } from '@node-saml/node-saml';
import type { EphemeralStore } from '../data/ephemeral-store.js';
import type { SamlConnection } from '../data/connection-repository.js';
import { pemCertificate } from './connection-settings.js';
import type { AssertedIdentity } from './just-in-time-users.js';
import { samlIdCache } from './saml-id-cache.js';
import { putSamlRelay, type SignInRelay } from './sign-in-relay.js';
import { childElementsNS, parseUntrustedXml, SAML_ASSERTION_NS, SAML_PROTOCOL_NS, XmlGuardError } from './xml-guard.js';

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
  return samlIdCache(
    store,
    tenant,
    { kind: 'request', connectionId, ttlSeconds: SAML_REQUEST_TTL_SECONDS },
    relay && ((id) => putSamlRelay(store, tenant, connectionId, id, relay, SAML_REQUEST_TTL_SECONDS)),
  );
}

/**
 * node-saml options for one connection, with the checks its defaults leave off turned on. Its
 * `validateInResponseTo` here is what makes it remember the id of each AuthnRequest it builds; the
 * ACS does not let node-saml judge InResponseTo (see samlAcsOptionsFor).
 */
export function samlOptionsFor(options: {
  tenant: string;
  origin: string;
  connection: SamlConnection;
  store: EphemeralStore;
  clockSkewSeconds: number;
  relay?: SignInRelay | undefined;
}): SamlConfig {
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

/**
 * node-saml options at the ACS: signature, decryption, Conditions and audience stay node-saml's, but
 * InResponseTo is left to checkVerifiedAssertion. node-saml reads InResponseTo from the Response,
 * which is not signed; it compares the signed bearer SubjectConfirmationData's only when there is
 * one, uses the request id up on some paths and not on others, and skips the bearer time window
 * whenever it does not validate InResponseTo. With `never` it touches neither the request cache nor
 * the bearer confirmation, and every rule of the profile is applied once, here, to the signed assertion.
 */
export function samlAcsOptionsFor(options: {
  tenant: string;
  origin: string;
  connection: SamlConnection;
  store: EphemeralStore;
  clockSkewSeconds: number;
}): SamlConfig {
  return { ...samlOptionsFor(options), validateInResponseTo: ValidateInResponseTo.never };
}

/** The AuthnRequests this SP sent for one connection and not yet seen answered: each answers one response. */
export interface PendingRequests {
  /**
   * Uses up the request `id` of this connection: true if it was pending (sent here, not expired, never
   * named by a response before), false otherwise. Within one response, naming the same id again gives
   * the same answer.
   */
  take(id: string): Promise<boolean>;
}

export function pendingRequests(store: EphemeralStore, tenant: string, connectionId: string): PendingRequests {
  const cache = requestIdCache(store, tenant, connectionId);
  const taken = new Map<string, Promise<boolean>>();
  return {
    take(id) {
      let outcome = taken.get(id);
      if (!outcome) {
        outcome = cache.removeAsync(id).then((value) => value !== null);
        taken.set(id, outcome);
      }
      return outcome;
    },
  };
}

/** A verified sign-in: who, and the NameID and SessionIndex a later single logout names. */
export interface SamlSignIn {
  identity: AssertedIdentity;
  sessionIndex: string | undefined;
  nameId: string;
}
export type SamlCheckOutcome = Result<SamlSignIn, string>;

/** The values of the named attribute in the assertion's own AttributeStatements (not in an Advice's assertion). */
function attributeValues(assertion: Element, name: string): string[] {
  return childElementsNS(assertion, SAML_ASSERTION_NS, 'AttributeStatement')
    .flatMap((statement) => childElementsNS(statement, SAML_ASSERTION_NS, 'Attribute'))
    .filter((attribute) => attribute.getAttribute('Name') === name)
    .flatMap((attribute) => childElementsNS(attribute, SAML_ASSERTION_NS, 'AttributeValue').map((value) => value.textContent));
}

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
/** xs:dateTime as SAML sends it (SAML core 1.3.3: UTC); a value without a zone is read as UTC, never as local time. */
const SAML_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/** The longest a bearer confirmation may stay valid: how long the replay cache keeps an assertion id. */
const MAX_REPLAY_WINDOW_SECONDS = 7 * 24 * 3600;

/** An attribute's value, '' when absent (xmldom answers '' where the DOM typings say null). */
function attributeOf(element: Element, name: string): string {
  return element.getAttribute(name) ?? '';
}

function instant(value: string): number | undefined {
  const match = SAML_INSTANT.exec(value);
  if (!match) return undefined;
  const ms = Date.parse(match[2] === undefined ? `${value}Z` : value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The Response's status codes, top level first: `<Status><StatusCode Value><StatusCode Value>…`. */
function statusCodes(response: Element): string[] | undefined {
  const statuses = childElementsNS(response, SAML_PROTOCOL_NS, 'Status');
  if (statuses.length !== 1 || !statuses[0]) return undefined;
  const codes: string[] = [];
  let level: Element = statuses[0];
  for (
    let code = childElementsNS(level, SAML_PROTOCOL_NS, 'StatusCode');
    code.length === 1 && code[0];
    code = childElementsNS(level, SAML_PROTOCOL_NS, 'StatusCode')
  ) {
    level = code[0];
    codes.push(attributeOf(level, 'Value'));
  }
  return codes;
}

/** The SubjectConfirmationData of each bearer SubjectConfirmation of the assertion's Subject (undefined for a bearer confirmation without exactly one). */
function bearerConfirmationData(assertion: Element): (Element | undefined)[] {
  const subject = childElementsNS(assertion, SAML_ASSERTION_NS, 'Subject')[0];
  const bearer = subject
    ? childElementsNS(subject, SAML_ASSERTION_NS, 'SubjectConfirmation').filter((c) => c.getAttribute('Method') === BEARER)
    : [];
  return bearer.map((confirmation) => {
    const data = childElementsNS(confirmation, SAML_ASSERTION_NS, 'SubjectConfirmationData');
    return data.length === 1 ? data[0] : undefined;
  });
}

/**
 * SAML profiles 4.1.4.3, for every bearer SubjectConfirmationData of the signed assertion: Recipient
 * is this connection's ACS, NotOnOrAfter is present and not passed (NotBefore, if any, reached),
 * both with the clock skew. Answers the latest NotOnOrAfter (how long the assertion could be
 * replayed) and the InResponseTo they all carry, '' for none.
 */
function checkBearerConfirmations(
  data: (Element | undefined)[],
  acsUrl: string,
  now: number,
  skewMs: number,
): Result<{ inResponseTo: string; notOnOrAfter: number }, string> {
  if (data.length === 0) return fail('bearer_confirmation_missing');
  let latest = 0;
  const inResponseTo = new Set<string>();
  for (const confirmation of data) {
    if (!confirmation) return fail('subject_confirmation_data_missing');
    if (attributeOf(confirmation, 'Recipient') !== acsUrl) return fail('recipient_mismatch');
    const notOnOrAfter = instant(attributeOf(confirmation, 'NotOnOrAfter'));
    if (notOnOrAfter === undefined) return fail('subject_confirmation_expiry_missing');
    if (now >= notOnOrAfter + skewMs) return fail('subject_confirmation_expired');
    if (confirmation.hasAttribute('NotBefore')) {
      const notBefore = instant(attributeOf(confirmation, 'NotBefore'));
      if (notBefore === undefined || now + skewMs < notBefore) return fail('subject_confirmation_not_yet_valid');
    }
    latest = Math.max(latest, notOnOrAfter);
    inResponseTo.add(attributeOf(confirmation, 'InResponseTo'));
  }
  const [only, ...more] = inResponseTo;
  if (only === undefined || more.length > 0) return fail('in_response_to_mismatch', 'bearer confirmations disagree');
  return ok({ inResponseTo: only, notOnOrAfter: latest });
}

/**
 * What this SP checks after node-saml accepted the signature, on the verified assertion only (the one
 * node-saml checked the signature of, decrypted if it was encrypted; never a sibling): the rules of
 * the Web Browser SSO profile (SAML profiles 4.1.4.2-3) whatever node-saml checked, then issuer,
 * Destination, encryption when required, and that the assertion was never used before.
 *
 * InResponseTo: the signed bearer confirmation's must equal the Response's (which is not signed);
 * with one, it must be a pending request of this connection, used up by this response; without one
 * the response is unsolicited, which only a connection that allows IdP-initiated sign-in accepts.
 * Every request id the signed assertion names is used up first, whatever the outcome (the ACS has
 * already used up the one the Response names).
 */
export async function checkVerifiedAssertion(options: {
  tenant: string;
  connection: SamlConnection;
  endpoints: SamlEndpoints;
  profile: Profile;
  /** The samlp:Response root (checked by assertLoginResponseShape). */
  response: Element;
  wasEncrypted: boolean;
  store: EphemeralStore;
  requests: PendingRequests;
  clockSkewSeconds: number;
  maxBytes: number;
}): Promise<SamlCheckOutcome> {
  const { profile, connection, endpoints, response } = options;
  const now = Date.now();
  const skewMs = options.clockSkewSeconds * 1000;
  const assertionXml = profile.getAssertionXml?.();
  if (!assertionXml) return fail('assertion_missing');
  let assertion: Element;
  try {
    const doc = parseUntrustedXml(assertionXml, { maxBytes: options.maxBytes, allowComments: false });
    const root = doc.documentElement as Element | null;
    if (root?.localName !== 'Assertion' || root.namespaceURI !== SAML_ASSERTION_NS) return fail('assertion_missing');
    assertion = root;
  } catch (error) {
    return fail(error instanceof XmlGuardError ? error.reason : 'xml_malformed');
  }
  const confirmations = bearerConfirmationData(assertion);
  const named = new Set(confirmations.map((data) => (data ? attributeOf(data, 'InResponseTo') : '')).filter((id) => id !== ''));
  const pending = new Map(await Promise.all([...named].map(async (id) => [id, await options.requests.take(id)] as const)));

  if (connection.settings.requireEncryptedAssertions && !options.wasEncrypted) return fail('assertion_not_encrypted');
  const status = statusCodes(response);
  if (status?.[0] !== STATUS_SUCCESS) return fail('status_not_success', (status ?? ['no single Status']).join(' ').slice(0, 300));
  if (attributeOf(response, 'Destination') !== endpoints.acsUrl) return fail('destination_mismatch');
  if (profile.issuer !== connection.settings.idpEntityId) return fail('issuer_mismatch');
  if (childElementsNS(assertion, SAML_ASSERTION_NS, 'AuthnStatement').length === 0) return fail('authn_statement_missing');
  const bearer = checkBearerConfirmations(confirmations, endpoints.acsUrl, now, skewMs);
  if (!bearer.ok) return bearer;
  const { value: confirmed } = bearer;
  const assertionId = assertion.getAttribute('ID');
  if (!assertionId) return fail('assertion_id_missing');
  // The assertion id is remembered for as long as its bearer confirmation would be accepted (SAML
  // profiles 4.1.4.5); a window longer than the replay cache keeps ids could be replayed after it.
  const ttl = Math.max(60, Math.ceil((confirmed.notOnOrAfter - now + skewMs) / 1000));
  if (ttl > MAX_REPLAY_WINDOW_SECONDS) return fail('subject_confirmation_too_long');
  if (!(await options.store.markOnce(options.tenant, ['saml', 'assertion', connection.id, assertionId.slice(0, 200)], ttl))) {
    return fail('assertion_replayed');
  }
  if (confirmed.inResponseTo !== attributeOf(response, 'InResponseTo')) return fail('in_response_to_mismatch');
  if (confirmed.inResponseTo === '') {
    if (!connection.settings.allowIdpInitiated) return fail('unsolicited_response_refused');
  } else if (pending.get(confirmed.inResponseTo) !== true) {
    return fail('in_response_to_unknown');
  }
  const nameId = profile.nameID;
  if (!nameId) return fail('name_id_missing');
  const email = attributeValues(assertion, connection.settings.emailAttribute)[0] ?? (nameId.includes('@') ? nameId : undefined);
  const displayName = attributeValues(assertion, connection.settings.displayNameAttribute)[0];
  return ok({
    nameId,
    sessionIndex: profile.sessionIndex,
    identity: {
      issuer: connection.settings.idpEntityId,
      subject: nameId,
      email,
      displayName,
      groups: attributeValues(assertion, connection.settings.groupsAttribute),
    },
  });
}
