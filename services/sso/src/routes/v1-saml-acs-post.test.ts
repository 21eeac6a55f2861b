import request from 'supertest';
import { decodeResponse, encodeResponse, newKeyPair, TestSamlIdp, type KeyPair, type SpEndpoints } from '../test-support/saml-idp.js';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../test-support/sso-harness.js';

interface Conn {
  tenant: TestTenant;
  id: string;
  sp: SpEndpoints;
}

describe('SAML login against samlify as the IdP, and the SAML attacks refused', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let globex: TestTenant;
  let acmeIdp: TestSamlIdp;
  let globexIdp: TestSamlIdp;
  let spKeys: KeyPair;
  let main: Conn;
  let idpInitiated: Conn;
  let encrypted: Conn;
  let foreign: Conn;

  async function connect(tenant: TestTenant, body: Record<string, unknown>): Promise<Conn> {
    const admin = await h.tokenFor(tenant, ['admin']);
    const res = await request(h.app).post('/v1/sso/connections').set('Host', tenant.host).set('Authorization', `Bearer ${admin}`).send({ kind: 'saml', ...body });
    expect(res.status).toBe(201);
    return { tenant, id: res.body.id as string, sp: res.body.saml as SpEndpoints };
  }

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('acme');
    globex = await h.tenant('globex');
    acmeIdp = new TestSamlIdp('acme');
    globexIdp = new TestSamlIdp('globex');
    spKeys = newKeyPair('sp');
    const rules = { roleRules: [{ group: 'idp-admins', role: 'admin' }] };
    main = await connect(acme, { name: 'acme', metadataXml: acmeIdp.metadataXml(), ...rules });
    idpInitiated = await connect(acme, { name: 'acme-idp-initiated', metadataXml: acmeIdp.metadataXml(), settings: { allowIdpInitiated: true } });
    encrypted = await connect(acme, {
      name: 'acme-encrypted',
      metadataXml: acmeIdp.metadataXml(),
      settings: { requireEncryptedAssertions: true, spCertificate: spKeys.certBase64, allowIdpInitiated: true },
      secrets: { spPrivateKey: spKeys.key },
    });
    foreign = await connect(globex, { name: 'globex', metadataXml: globexIdp.metadataXml() });
  });

  afterAll(async () => {
    await h.close();
  });

  async function spInitiated(conn: Conn): Promise<string> {
    const res = await request(h.app).get('/v1/sso/login').query({ connection: conn.id }).set('Host', conn.tenant.host);
    expect(res.status).toBe(302);
    const location = res.headers.location as string;
    expect(location.startsWith(acmeIdp.ssoUrl) || location.startsWith(globexIdp.ssoUrl)).toBe(true);
    return TestSamlIdp.requestIdOf(location);
  }

  function post(conn: Conn, samlResponse: string, path = new URL(conn.sp.acsUrl).pathname) {
    return request(h.app).post(path).set('Host', conn.tenant.host).type('form').send({ SAMLResponse: samlResponse });
  }

  async function expectRefused(conn: Conn, res: request.Response, users: number, reason: RegExp, status = 401) {
    expect(res.status).toBe(status);
    expect(res.body.code).toBeDefined();
    expect(JSON.stringify(res.body)).not.toMatch(/signature|audience|InResponseTo|xml/i);
    expect(await h.userCount(conn.tenant)).toBe(users);
    const refused = (await h.auditActions(conn.tenant)).filter((a) => a.action === 'sso.login_refused').map((a) => JSON.stringify(a.data));
    expect(refused.some((d) => reason.test(d))).toBe(true);
  }

  const user = (name: string) => ({ nameId: `${name}@acme.test`, attributes: { email: [`${name}@acme.test`], displayName: [name], groups: ['idp-admins', 'staff'] } });

  it('accepts the metadata of the IdP and publishes SP metadata with the connection\'s entity id and ACS', async () => {
    const res = await request(h.app).get(new URL(main.sp.entityId).pathname + '/metadata').set('Host', acme.host);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`entityID="${main.sp.entityId}"`);
    expect(res.text).toContain(`Location="${main.sp.acsUrl}"`);
  });

  it('completes an SP-initiated login: signed assertion in, platform token out, user provisioned with mapped roles', async () => {
    const requestId = await spInitiated(main);
    const res = await post(main, await acmeIdp.response(main.sp, { ...user('ada'), inResponseTo: requestId }));
    expect(res.status).toBe(200);
    const me = await request(h.app).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${String(res.body.access_token)}`);
    expect(me.body).toMatchObject({ email: 'ada@acme.test', roles: ['admin', 'member'], identities: [{ connectionId: main.id, groups: ['idp-admins', 'staff'] }] });
  });

  it('completes an IdP-initiated login only where the connection allows it', async () => {
    const users = await h.userCount(acme);
    const ok = await post(idpInitiated, await acmeIdp.response(idpInitiated.sp, user('grace')));
    expect(ok.status).toBe(200);
    const refused = await post(main, await acmeIdp.response(main.sp, user('grace-2')));
    await expectRefused(main, refused, users + 1, /saml_invalid.*InResponseTo|InResponseTo.*saml_invalid/);
  });

  it('accepts an encrypted assertion and refuses a plain one where encryption is required', async () => {
    const users = await h.userCount(acme);
    const ok = await post(encrypted, await acmeIdp.response(encrypted.sp, { ...user('hedy'), encrypt: true }, { encryptCert: spKeys.cert }));
    expect(ok.status).toBe(200);
    expect(decodeResponse(await acmeIdp.response(encrypted.sp, { ...user('x'), encrypt: true }, { encryptCert: spKeys.cert }))).toContain('EncryptedAssertion');
    await expectRefused(encrypted, await post(encrypted, await acmeIdp.response(encrypted.sp, user('hedy-plain'))), users + 1, /assertion_not_encrypted/);
  });

  it('refuses an unsigned response, and a signed response around an unsigned assertion', async () => {
    const users = await h.userCount(acme);
    const unsigned = await acmeIdp.response(idpInitiated.sp, { ...user('u1'), sign: { assertion: false, response: false } });
    await expectRefused(idpInitiated, await post(idpInitiated, unsigned), users, /saml_invalid/);
    const outerOnly = await acmeIdp.response(idpInitiated.sp, { ...user('u2'), sign: { assertion: false, response: true } });
    await expectRefused(idpInitiated, await post(idpInitiated, outerOnly), users, /saml_invalid/);
  });

  it('refuses signature wrapping: an injected unsigned assertion beside, before or inside the signed one', async () => {
    const users = await h.userCount(acme);
    const signed = decodeResponse(await acmeIdp.response(idpInitiated.sp, user('victim')));
    const signedAssertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(signed)?.[0] ?? '';
    const evil = signedAssertion
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
      .replace(/ID="[^"]+"/, 'ID="_evil"')
      .replace(/victim@acme\.test/g, 'admin@acme.test');
    const variants = [
      signed.replace(signedAssertion, `${evil}${signedAssertion}`),
      signed.replace(signedAssertion, `${signedAssertion}${evil}`),
      signed.replace('<samlp:Status>', `<samlp:Extensions>${signedAssertion}</samlp:Extensions><samlp:Status>`).replace(signedAssertion, evil),
      signed.replace('</ds:SignatureValue>', `</ds:SignatureValue><ds:Object>${evil}</ds:Object>`),
    ];
    for (const xml of variants) {
      await expectRefused(idpInitiated, await post(idpInitiated, encodeResponse(xml)), users, /xml_structure/);
    }
  });

  it('refuses XML comment injection in the NameID (the value a naive parser would truncate)', async () => {
    const users = await h.userCount(acme);
    const signed = decodeResponse(await acmeIdp.response(idpInitiated.sp, { nameId: 'ceo@acme.test.evil.test', attributes: {} }));
    const injected = signed.replace('ceo@acme.test.evil.test</saml:NameID>', 'ceo@acme.test<!---->.evil.test</saml:NameID>');
    expect(injected).not.toBe(signed);
    await expectRefused(idpInitiated, await post(idpInitiated, encodeResponse(injected)), users, /xml_comment/);
  });

  it.each([
    ['a wrong audience', { audience: 'https://someone-else.test/sp' }, /audience/i],
    ['a wrong destination', { destination: 'https://evil.test/acs' }, /destination_mismatch/],
    ['a wrong recipient', { recipient: 'https://evil.test/acs' }, /recipient_mismatch/],
    ['an expired assertion', { notBefore: new Date(Date.now() - 3_600_000), notOnOrAfter: new Date(Date.now() - 600_000) }, /saml_invalid/],
    ['a not-yet-valid assertion', { notBefore: new Date(Date.now() + 600_000), notOnOrAfter: new Date(Date.now() + 1_200_000) }, /saml_invalid/],
    ["another IdP's issuer", { issuer: 'https://idp.other.test/metadata' }, /issuer_mismatch/],
  ])('refuses %s', async (_name, change, reason) => {
    const users = await h.userCount(acme);
    const res = await post(idpInitiated, await acmeIdp.response(idpInitiated.sp, { ...user(`bad-${Math.random().toString(16).slice(2)}`), ...change }));
    await expectRefused(idpInitiated, res, users, reason);
  });

  it('accepts times within the configured clock skew', async () => {
    const res = await post(idpInitiated, await acmeIdp.response(idpInitiated.sp, { ...user('skewed'), notBefore: new Date(Date.now() + 20_000) }));
    expect(res.status).toBe(200);
  });

  it('refuses a replayed assertion', async () => {
    const response = await acmeIdp.response(idpInitiated.sp, user('once'));
    expect((await post(idpInitiated, response)).status).toBe(200);
    const users = await h.userCount(acme);
    await expectRefused(idpInitiated, await post(idpInitiated, response), users, /assertion_replayed/);
  });

  it('refuses an InResponseTo this SP never sent, or sent for another connection', async () => {
    const users = await h.userCount(acme);
    await expectRefused(main, await post(main, await acmeIdp.response(main.sp, { ...user('n1'), inResponseTo: '_never-sent' })), users, /InResponseTo/);
    const otherRequest = await spInitiated(idpInitiated);
    await expectRefused(main, await post(main, await acmeIdp.response(main.sp, { ...user('n2'), inResponseTo: otherRequest })), users, /InResponseTo/);
  });

  it("refuses a valid assertion of tenant A's IdP posted to tenant B's ACS, and a certificate other than the connection's", async () => {
    const users = await h.userCount(globex);
    const forA = await acmeIdp.response(idpInitiated.sp, user('crossing'));
    await expectRefused(foreign, await post(foreign, forA), users, /saml_invalid|xml_structure/);
    // Even re-targeted at B's SP, A's IdP signature is not B's IdP certificate.
    const retargeted = await acmeIdp.response(foreign.sp, { ...user('crossing-2'), issuer: globexIdp.entityId });
    await expectRefused(foreign, await post(foreign, retargeted), users, /saml_invalid/);
    const forged = await globexIdp.response(foreign.sp, { ...user('forged'), signingKey: newKeyPair('attacker') });
    await expectRefused(foreign, await post(foreign, forged), users, /saml_invalid/);
  });

  it('refuses malformed XML, XML with entity declarations and oversized XML with clear 4xx and an audit entry', async () => {
    const users = await h.userCount(acme);
    await expectRefused(idpInitiated, await post(idpInitiated, encodeResponse('<samlp:Response><unclosed>')), users, /xml_malformed/, 400);
    const bomb = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:Response>`;
    await expectRefused(idpInitiated, await post(idpInitiated, encodeResponse(bomb)), users, /xml_doctype/, 400);
    const huge = encodeResponse(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${'x'.repeat(400 * 1024)}</samlp:Response>`);
    await expectRefused(idpInitiated, await post(idpInitiated, huge), users, /xml_too_large/, 413);
    await expectRefused(idpInitiated, await post(idpInitiated, 'not base64 at all!'), users, /saml_response_missing/, 400);
  });

  it('refuses an unknown connection and a disabled one', async () => {
    const users = await h.userCount(acme);
    const ok = await acmeIdp.response(idpInitiated.sp, user('disabled'));
    await expectRefused(idpInitiated, await post(idpInitiated, ok, '/v1/sso/saml/con_unknown/acs'), users, /unknown_connection/, 404);
    const admin = await h.tokenFor(acme, ['admin']);
    await request(h.app).patch(`/v1/sso/connections/${encrypted.id}`).set('Host', acme.host).set('Authorization', `Bearer ${admin}`).send({ status: 'disabled' }).expect(200);
    await expectRefused(encrypted, await post(encrypted, ok, new URL(encrypted.sp.acsUrl).pathname), users, /connection_disabled/, 403);
  });
});
