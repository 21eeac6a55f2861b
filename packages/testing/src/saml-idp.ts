import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import * as validator from '@authenio/samlify-xmllint-wasm';
import samlify from 'samlify';

samlify.setSchemaValidator(validator);

export interface KeyPair {
  key: string;
  cert: string;
  /** The certificate body, base64 DER, as connections store it. */
  certBase64: string;
}

/** A throwaway RSA key and self-signed certificate, made by the openssl CLI. */
export function newKeyPair(cn: string): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'mindbot-saml-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        `/CN=${cn}`,
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert, certBase64: cert.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface SpEndpoints {
  entityId: string;
  acsUrl: string;
  sloUrl: string;
}

/**
 * One SubjectConfirmation of the assertion. Each field left undefined takes the response's own value
 * (Recipient: `recipient` or the ACS; NotOnOrAfter: `notOnOrAfter`; InResponseTo: `inResponseTo`);
 * null leaves that attribute out; `data: false` leaves out the whole SubjectConfirmationData.
 */
export interface SubjectConfirmationOptions {
  method?: string;
  data?: boolean;
  recipient?: string | null;
  notBefore?: Date;
  notOnOrAfter?: Date | null;
  inResponseTo?: string | null;
}

export interface ResponseOptions {
  /** The Response's InResponseTo, and by default that of its bearer SubjectConfirmationData. */
  inResponseTo?: string;
  nameId: string;
  attributes?: Record<string, string[]>;
  destination?: string;
  recipient?: string;
  audience?: string;
  issuer?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  sessionIndex?: string;
  /** The assertion's SubjectConfirmations (default: one bearer confirmation with the response's values). */
  subjectConfirmations?: SubjectConfirmationOptions[];
  /** The Response's status codes, top level first (default: Success). */
  status?: string[];
  /** false: an assertion without AuthnStatement (it tells of no sign-in). */
  authnStatement?: boolean;
  /** Sign the assertion (default), the whole response, both, or nothing. */
  sign?: { assertion: boolean; response: boolean };
  encrypt?: boolean;
  /** Signs with this key instead of the IdP's own (a certificate other than the connection's). */
  signingKey?: KeyPair;
}

const xmlEscape = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
export const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

function subjectConfirmationXml(
  confirmation: SubjectConfirmationOptions,
  defaults: { recipient: string; notOnOrAfter: Date; inResponseTo: string | undefined },
): string {
  const attributes: [string, string | null | undefined][] = [
    ['NotBefore', confirmation.notBefore?.toISOString()],
    ['NotOnOrAfter', confirmation.notOnOrAfter === null ? null : (confirmation.notOnOrAfter ?? defaults.notOnOrAfter).toISOString()],
    ['Recipient', confirmation.recipient === undefined ? defaults.recipient : confirmation.recipient],
    ['InResponseTo', confirmation.inResponseTo === undefined ? defaults.inResponseTo : confirmation.inResponseTo],
  ];
  const data = attributes
    .flatMap(([name, value]) => (value === null || value === undefined ? [] : [` ${name}="${xmlEscape(value)}"`]))
    .join('');
  const body = confirmation.data === false ? '' : `<saml:SubjectConfirmationData${data}/>`;
  return `<saml:SubjectConfirmation Method="${xmlEscape(confirmation.method ?? BEARER)}">${body}</saml:SubjectConfirmation>`;
}

/**
 * samlify acting as the identity provider of one tenant: it reads the AuthnRequests our SP sends,
 * and builds signed (optionally encrypted) login responses from its template, including the
 * deliberately wrong ones a test needs.
 */
export class TestSamlIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly sloUrl: string;
  readonly keys: KeyPair;

  constructor(name: string) {
    this.entityId = `https://idp.${name}.test/metadata`;
    this.ssoUrl = `https://idp.${name}.test/sso`;
    this.sloUrl = `https://idp.${name}.test/slo`;
    this.keys = newKeyPair(`idp-${name}`);
  }

  identityProvider(options: { encrypt?: boolean; signingKey?: KeyPair } = {}) {
    const keys = options.signingKey ?? this.keys;
    return samlify.IdentityProvider({
      entityID: this.entityId,
      privateKey: keys.key,
      signingCert: keys.cert,
      isAssertionEncrypted: options.encrypt ?? false,
      singleSignOnService: [{ Binding: REDIRECT, Location: this.ssoUrl }],
      singleLogoutService: [{ Binding: REDIRECT, Location: this.sloUrl }],
    });
  }

  serviceProvider(sp: SpEndpoints, options: { wantAssertionsSigned?: boolean; wantMessageSigned?: boolean; encryptCert?: string } = {}) {
    return samlify.ServiceProvider({
      entityID: sp.entityId,
      assertionConsumerService: [{ Binding: POST, Location: sp.acsUrl }],
      singleLogoutService: [{ Binding: REDIRECT, Location: sp.sloUrl }],
      wantAssertionsSigned: options.wantAssertionsSigned ?? true,
      wantMessageSigned: options.wantMessageSigned ?? false,
      wantLogoutRequestSigned: true,
      ...(options.encryptCert ? { encryptCert: options.encryptCert } : {}),
    });
  }

  /** A signed LogoutRequest (HTTP-Redirect binding) for the user's session at `sp`: the URL the IdP sends the browser to. */
  logoutRequestUrl(sp: SpEndpoints, nameId: string, sessionIndex: string): string {
    const built = this.identityProvider().createLogoutRequest(this.serviceProvider(sp), 'redirect', { logoutNameID: nameId, sessionIndex });
    return built.context;
  }

  /**
   * The IdP's LogoutResponse to the SP's LogoutRequest `inResponseTo`, by HTTP-POST: the base64 form
   * field the browser posts to `sp.sloUrl`, signed in the XML by the IdP's key, by `signingKey`, or
   * (`signed: false`) not at all.
   */
  logoutResponsePost(sp: SpEndpoints, inResponseTo: string, options: { signed?: boolean; signingKey?: KeyPair } = {}): string {
    const target = samlify.ServiceProvider({
      entityID: sp.entityId,
      assertionConsumerService: [{ Binding: POST, Location: sp.acsUrl }],
      singleLogoutService: [{ Binding: POST, Location: sp.sloUrl }],
      wantLogoutResponseSigned: options.signed ?? true,
    });
    const idp = this.identityProvider(options.signingKey ? { signingKey: options.signingKey } : {});
    const requestInfo = { extract: { request: { id: inResponseTo } } } as unknown as Parameters<typeof idp.createLogoutResponse>[1];
    return idp.createLogoutResponse(target, requestInfo, 'post', '').context;
  }

  /** The XML metadata a tenant admin would paste when creating the connection. */
  metadataXml(): string {
    return this.identityProvider().getMetadata();
  }

  /** Reads the AuthnRequest id from the redirect our SP answered (what the IdP's login page would do). */
  static requestIdOf(redirectLocation: string): string {
    const request = new URL(redirectLocation).searchParams.get('SAMLRequest') ?? '';
    const xml = inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
    const id = /\sID="([^"]+)"/.exec(xml)?.[1];
    if (!id) throw new Error('No AuthnRequest ID');
    return id;
  }

  /** A base64 SAMLResponse for `sp`, as the IdP would post it through the user's browser. */
  async response(sp: SpEndpoints, options: ResponseOptions, spOptions: { encryptCert?: string } = {}): Promise<string> {
    const sign = options.sign ?? { assertion: true, response: false };
    const now = new Date();
    const notBefore = options.notBefore ?? new Date(now.getTime() - 60_000);
    const notOnOrAfter = options.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
    const attributes = Object.entries(options.attributes ?? {})
      .map(
        ([name, values]) =>
          `<saml:Attribute Name="${xmlEscape(name)}">${values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${xmlEscape(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
      )
      .join('');
    const values: Record<string, string> = {
      ID: `_${randomUUID()}`,
      AssertionID: `_${randomUUID()}`,
      Destination: options.destination ?? sp.acsUrl,
      Audience: options.audience ?? sp.entityId,
      InResponseTo: options.inResponseTo ?? '',
      IssueInstant: now.toISOString(),
      Issuer: options.issuer ?? this.entityId,
      NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      NameID: options.nameId,
      ConditionsNotBefore: notBefore.toISOString(),
      ConditionsNotOnOrAfter: notOnOrAfter.toISOString(),
    };
    const confirmationDefaults = { recipient: options.recipient ?? sp.acsUrl, notOnOrAfter, inResponseTo: options.inResponseTo };
    // samlify escapes every tag value, so the XML fragments go in after its replacement.
    const fragments = {
      Status: (options.status ?? [STATUS_SUCCESS]).reduceRight(
        (inner, code) => `<samlp:StatusCode Value="${xmlEscape(code)}">${inner}</samlp:StatusCode>`,
        '',
      ),
      SubjectConfirmations: (options.subjectConfirmations ?? [{}]).map((c) => subjectConfirmationXml(c, confirmationDefaults)).join(''),
      AuthnStatement:
        options.authnStatement === false
          ? ''
          : `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${options.sessionIndex ?? '_session-1'}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
      AttributeStatement: attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '',
    };
    let template = samlify.SamlLib.defaultLoginResponseTemplate.context
      .replace('<samlp:StatusCode Value="{StatusCode}"/>', '{Status}')
      .replace(/<saml:SubjectConfirmation [\s\S]*<\/saml:SubjectConfirmation>/, '{SubjectConfirmations}');
    if (!options.inResponseTo) template = template.replace(' InResponseTo="{InResponseTo}"', '');
    let context = samlify.SamlLib.replaceTagsByValue(template, values);
    for (const [tag, fragment] of Object.entries(fragments)) context = context.replace(`{${tag}}`, () => fragment);
    if (!sign.assertion && !sign.response && !options.encrypt) return Buffer.from(context).toString('base64');
    const idp = this.identityProvider({
      encrypt: options.encrypt ?? false,
      ...(options.signingKey ? { signingKey: options.signingKey } : {}),
    });
    const target = this.serviceProvider(sp, {
      wantAssertionsSigned: sign.assertion,
      wantMessageSigned: sign.response,
      ...(spOptions.encryptCert ? { encryptCert: spOptions.encryptCert } : {}),
    });
    const noRequest = { extract: {} } as Parameters<typeof idp.createLoginResponse>[1];
    const built = await idp.createLoginResponse(
      target,
      noRequest,
      'post',
      { email: options.nameId },
      { customTagReplacement: () => ({ id: values.ID ?? '', context }) },
    );
    return built.context;
  }
}

export function decodeResponse(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}

export function encodeResponse(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}
