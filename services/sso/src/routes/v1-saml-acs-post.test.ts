import request from 'supertest';
import { quoteIdent } from '@mindbot/db';
import { schemaNameOf } from '@mindbot/tenancy';
import { decodeResponse, encodeResponse, newKeyPair, TestSamlIdp, type KeyPair, type SpEndpoints } from '@mindbot/testing/saml-idp';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

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
    const res = await request(h.app)
      .post('/v1/sso/connections')
      .set('Host', tenant.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'saml', ...body });
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
    idpInitiated = await connect(acme, {
      name: 'acme-idp-initiated',
      metadataXml: acmeIdp.metadataXml(),
      settings: { allowIdpInitiated: true },
    });
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

  async function refusedReasons(tenant: TestTenant): Promise<string[]> {
    return (await h.auditActions(tenant)).filter((a) => a.action === 'sso.login_refused').map((a) => JSON.stringify(a.data));
  }

  /** One post to the ACS and what it changed: its status, the refusal reasons it audited and the users it added. */
  async function attempt(conn: Conn, samlResponse: string): Promise<{ status: number; reasons: string[]; usersAdded: number }> {
    const [refusedBefore, usersBefore] = [(await refusedReasons(conn.tenant)).length, await h.userCount(conn.tenant)];
    const res = await post(conn, samlResponse);
    const reasons = (await refusedReasons(conn.tenant))
      .slice(refusedBefore)
      .map((data) => String((JSON.parse(data) as { reason?: unknown }).reason));
    if (res.status >= 400) expect(JSON.stringify(res.body)).not.toMatch(/signature|audience|InResponseTo|xml|confirmation|status_/i);
    return { status: res.status, reasons, usersAdded: (await h.userCount(conn.tenant)) - usersBefore };
  }

  const user = (name: string) => ({
    nameId: `${name}@acme.test`,
    attributes: { email: [`${name}@acme.test`], displayName: [name], groups: ['idp-admins', 'staff'] },
  });

  it("accepts the metadata of the IdP and publishes SP metadata with the connection's entity id and ACS", async () => {
    const res = await request(h.app)
      .get(new URL(main.sp.entityId).pathname + '/metadata')
      .set('Host', acme.host);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`entityID="${main.sp.entityId}"`);
    expect(res.text).toContain(`Location="${main.sp.acsUrl}"`);
  });

  it('completes an SP-initiated login: signed assertion in, platform token out, user provisioned with mapped roles', async () => {
    const requestId = await spInitiated(main);
    const res = await post(main, await acmeIdp.response(main.sp, { ...user('ada'), inResponseTo: requestId }));
    expect(res.status).toBe(200);
    const me = await request(h.app)
      .get('/v1/auth/me')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${String(res.body.access_token)}`);
    expect(me.body).toMatchObject({
      email: 'ada@acme.test',
      roles: ['admin', 'member'],
      identities: [{ connectionId: main.id, groups: ['idp-admins', 'staff'] }],
    });
  });

  it('completes an IdP-initiated login only where the connection allows it', async () => {
    const users = await h.userCount(acme);
    const ok = await post(idpInitiated, await acmeIdp.response(idpInitiated.sp, user('grace')));
    expect(ok.status).toBe(200);
    expect(await attempt(main, await acmeIdp.response(main.sp, user('grace-2')))).toEqual({
      status: 401,
      reasons: ['unsolicited_response_refused'],
      usersAdded: 0,
    });
    expect(await h.userCount(acme)).toBe(users + 1);
  });

  it('accepts an encrypted assertion and refuses a plain one where encryption is required', async () => {
    const users = await h.userCount(acme);
    const ok = await post(
      encrypted,
      await acmeIdp.response(encrypted.sp, { ...user('hedy'), encrypt: true }, { encryptCert: spKeys.cert }),
    );
    expect(ok.status).toBe(200);
    expect(decodeResponse(await acmeIdp.response(encrypted.sp, { ...user('x'), encrypt: true }, { encryptCert: spKeys.cert }))).toContain(
      'EncryptedAssertion',
    );
    await expectRefused(
      encrypted,
      await post(encrypted, await acmeIdp.response(encrypted.sp, user('hedy-plain'))),
      users + 1,
      /assertion_not_encrypted/,
    );
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
      signed
        .replace('<samlp:Status>', `<samlp:Extensions>${signedAssertion}</samlp:Extensions><samlp:Status>`)
        .replace(signedAssertion, evil),
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
    [
      'a not-yet-valid assertion',
      { notBefore: new Date(Date.now() + 600_000), notOnOrAfter: new Date(Date.now() + 1_200_000) },
      /saml_invalid/,
    ],
    ["another IdP's issuer", { issuer: 'https://idp.other.test/metadata' }, /issuer_mismatch/],
  ])('refuses %s', async (_name, change, reason) => {
    const users = await h.userCount(acme);
    const res = await post(
      idpInitiated,
      await acmeIdp.response(idpInitiated.sp, { ...user(`bad-${Math.random().toString(16).slice(2)}`), ...change }),
    );
    await expectRefused(idpInitiated, res, users, reason);
  });

  it('accepts times within the configured clock skew', async () => {
    const res = await post(
      idpInitiated,
      await acmeIdp.response(idpInitiated.sp, { ...user('skewed'), notBefore: new Date(Date.now() + 20_000) }),
    );
    expect(res.status).toBe(200);
  });

  it('refuses a replayed assertion', async () => {
    const response = await acmeIdp.response(idpInitiated.sp, user('once'));
    expect((await post(idpInitiated, response)).status).toBe(200);
    const users = await h.userCount(acme);
    await expectRefused(idpInitiated, await post(idpInitiated, response), users, /assertion_replayed/);
  });

  it('refuses an InResponseTo this SP never sent, or sent for another connection', async () => {
    const refused = { status: 401, reasons: ['in_response_to_unknown'], usersAdded: 0 };
    expect(await attempt(main, await acmeIdp.response(main.sp, { ...user('n1'), inResponseTo: '_never-sent' }))).toEqual(refused);
    expect(await attempt(idpInitiated, await acmeIdp.response(idpInitiated.sp, { ...user('n1'), inResponseTo: '_never-sent' }))).toEqual(
      refused,
    );
    const otherRequest = await spInitiated(idpInitiated);
    expect(await attempt(main, await acmeIdp.response(main.sp, { ...user('n2'), inResponseTo: otherRequest }))).toEqual(refused);
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
    const huge = encodeResponse(
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${'x'.repeat(400 * 1024)}</samlp:Response>`,
    );
    await expectRefused(idpInitiated, await post(idpInitiated, huge), users, /xml_too_large/, 413);
    await expectRefused(idpInitiated, await post(idpInitiated, 'not base64 at all!'), users, /saml_response_missing/, 400);
  });

  it('refuses an unknown connection and a disabled one', async () => {
    const users = await h.userCount(acme);
    const ok = await acmeIdp.response(idpInitiated.sp, user('disabled'));
    await expectRefused(idpInitiated, await post(idpInitiated, ok, '/v1/sso/saml/con_unknown/acs'), users, /unknown_connection/, 404);
    const admin = await h.tokenFor(acme, ['admin']);
    await request(h.app)
      .patch(`/v1/sso/connections/${encrypted.id}`)
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({ status: 'disabled' })
      .expect(200);
    await expectRefused(encrypted, await post(encrypted, ok, new URL(encrypted.sp.acsUrl).pathname), users, /connection_disabled/, 403);
  });

  describe('the Web Browser SSO profile rules, enforced here whatever node-saml checks: each response below is correctly signed and breaks one rule', () => {
    const ok = { status: 200, reasons: [], usersAdded: 1 };
    const refused = (reason: string) => ({ status: 401, reasons: [reason], usersAdded: 0 });
    const unique = (name: string) => user(`${name}-${Math.random().toString(16).slice(2, 8)}`);
    const past = (ms: number) => new Date(Date.now() - ms);

    it('the attack: an unsolicited signed assertion in an unsigned Response carrying a request id from /v1/sso/login is refused, and the id is used up', async () => {
      const requestId = await spInitiated(main);
      const unsolicited = decodeResponse(await acmeIdp.response(main.sp, unique('wrapped')));
      expect(unsolicited).not.toContain('InResponseTo');
      const wrapped = unsolicited.replace('<samlp:Response ', `<samlp:Response InResponseTo="${requestId}" `);
      expect(await attempt(main, encodeResponse(wrapped))).toEqual(refused('in_response_to_mismatch'));
      // The same request id, now in a genuine answer to it: already used.
      expect(await attempt(main, await acmeIdp.response(main.sp, { ...unique('late'), inResponseTo: requestId }))).toEqual(
        refused('in_response_to_unknown'),
      );
    });

    it('a Response InResponseTo without the same InResponseTo in the signed bearer confirmation is refused on a connection that allows IdP-initiated sign-in too', async () => {
      const requestId = await spInitiated(idpInitiated);
      const response = await acmeIdp.response(idpInitiated.sp, {
        ...unique('half'),
        inResponseTo: requestId,
        subjectConfirmations: [{ inResponseTo: null }],
      });
      expect(await attempt(idpInitiated, response)).toEqual(refused('in_response_to_mismatch'));
      const other = await spInitiated(idpInitiated);
      const crossed = await acmeIdp.response(idpInitiated.sp, {
        ...unique('crossed'),
        inResponseTo: requestId,
        subjectConfirmations: [{ inResponseTo: other }],
      });
      expect(await attempt(idpInitiated, crossed)).toEqual(refused('in_response_to_mismatch'));
      // Both ids were used up by that response: neither answers anything any more.
      expect(await attempt(idpInitiated, await acmeIdp.response(idpInitiated.sp, { ...unique('other'), inResponseTo: other }))).toEqual(
        refused('in_response_to_unknown'),
      );
    });

    it('a signed bearer InResponseTo with none on the Response is refused, even where IdP-initiated sign-in is allowed', async () => {
      const requestId = await spInitiated(idpInitiated);
      const response = await acmeIdp.response(idpInitiated.sp, {
        ...unique('inner-only'),
        subjectConfirmations: [{ inResponseTo: requestId }],
      });
      expect(decodeResponse(response)).toMatch(/<samlp:Response (?![^>]*InResponseTo)/);
      expect(await attempt(idpInitiated, response)).toEqual(refused('in_response_to_mismatch'));
    });

    it('an InResponseTo is good for one response: a second, freshly signed answer to the same request is refused', async () => {
      const requestId = await spInitiated(main);
      expect(await attempt(main, await acmeIdp.response(main.sp, { ...unique('first'), inResponseTo: requestId }))).toEqual(ok);
      expect(await attempt(main, await acmeIdp.response(main.sp, { ...unique('second'), inResponseTo: requestId }))).toEqual(
        refused('in_response_to_unknown'),
      );
    });

    it('an InResponseTo named by a refused response is used up too', async () => {
      const requestId = await spInitiated(main);
      const wrongAudience = await acmeIdp.response(main.sp, {
        ...unique('aud'),
        inResponseTo: requestId,
        audience: 'https://someone-else.test/sp',
      });
      expect(await attempt(main, wrongAudience)).toEqual(refused('saml_invalid'));
      expect(await attempt(main, await acmeIdp.response(main.sp, { ...unique('retry'), inResponseTo: requestId }))).toEqual(
        refused('in_response_to_unknown'),
      );
    });

    it('an expired bearer confirmation is refused while the Conditions are still valid, solicited or not; within the clock skew it is accepted', async () => {
      const expired = { subjectConfirmations: [{ notOnOrAfter: past(120_000) }] };
      expect(await attempt(idpInitiated, await acmeIdp.response(idpInitiated.sp, { ...unique('stale'), ...expired }))).toEqual(
        refused('subject_confirmation_expired'),
      );
      const requestId = await spInitiated(main);
      expect(await attempt(main, await acmeIdp.response(main.sp, { ...unique('stale-sp'), inResponseTo: requestId, ...expired }))).toEqual(
        refused('subject_confirmation_expired'),
      );
      expect(
        await attempt(
          idpInitiated,
          await acmeIdp.response(idpInitiated.sp, { ...unique('just'), subjectConfirmations: [{ notOnOrAfter: past(20_000) }] }),
        ),
      ).toEqual(ok);
    });

    it('a bearer confirmation without NotOnOrAfter, or not valid yet (NotBefore beyond the clock skew), is refused', async () => {
      // node-saml fails to read the missing time before checkVerifiedAssertion sees it (which would refuse it too).
      expect(
        await attempt(
          idpInitiated,
          await acmeIdp.response(idpInitiated.sp, { ...unique('endless'), subjectConfirmations: [{ notOnOrAfter: null }] }),
        ),
      ).toEqual(refused('saml_invalid'));
      const early = { subjectConfirmations: [{ notBefore: new Date(Date.now() + 600_000) }] };
      expect(await attempt(idpInitiated, await acmeIdp.response(idpInitiated.sp, { ...unique('early'), ...early }))).toEqual(
        refused('subject_confirmation_not_yet_valid'),
      );
    });

    it('a bearer confirmation valid for longer than the replay cache keeps assertion ids (7 days) is refused', async () => {
      const later = new Date(Date.now() + 8 * 24 * 3600_000);
      const response = await acmeIdp.response(idpInitiated.sp, { ...unique('forever'), notOnOrAfter: later });
      expect(await attempt(idpInitiated, response)).toEqual(refused('subject_confirmation_too_long'));
    });

    it('every bearer confirmation must name our ACS: a second one for another SP, or one without Recipient, is refused', async () => {
      const two = { subjectConfirmations: [{}, { recipient: 'https://other-sp.test/acs' }] };
      expect(await attempt(idpInitiated, await acmeIdp.response(idpInitiated.sp, { ...unique('two'), ...two }))).toEqual(
        refused('recipient_mismatch'),
      );
      const none = { subjectConfirmations: [{ recipient: null }] };
      expect(await attempt(idpInitiated, await acmeIdp.response(idpInitiated.sp, { ...unique('nowhere'), ...none }))).toEqual(
        refused('recipient_mismatch'),
      );
    });

    it('an assertion without a bearer confirmation, or a bearer confirmation without data, is refused', async () => {
      const holderOfKey = { subjectConfirmations: [{ method: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' }] };
      expect(await attempt(idpInitiated, await acmeIdp.response(idpInitiated.sp, { ...unique('hok'), ...holderOfKey }))).toEqual(
        refused('bearer_confirmation_missing'),
      );
      expect(
        await attempt(
          idpInitiated,
          await acmeIdp.response(idpInitiated.sp, { ...unique('bare'), subjectConfirmations: [{ data: false }] }),
        ),
      ).toEqual(refused('subject_confirmation_data_missing'));
    });

    it('an assertion that tells of no sign-in (no AuthnStatement) is refused', async () => {
      expect(
        await attempt(idpInitiated, await acmeIdp.response(idpInitiated.sp, { ...unique('attrs-only'), authnStatement: false })),
      ).toEqual(refused('authn_statement_missing'));
    });

    it.each([
      ['Responder/AuthnFailed', ['urn:oasis:names:tc:SAML:2.0:status:Responder', 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed']],
      ['Requester/RequestDenied', ['urn:oasis:names:tc:SAML:2.0:status:Requester', 'urn:oasis:names:tc:SAML:2.0:status:RequestDenied']],
    ])('a signed Response with %s status carrying a signed assertion signs no one in', async (_name, status) => {
      const requestId = await spInitiated(main);
      const response = await acmeIdp.response(main.sp, {
        ...unique('denied'),
        inResponseTo: requestId,
        status,
        sign: { assertion: true, response: true },
      });
      expect(decodeResponse(response).match(/<ds:Signature[\s>]/g)).toHaveLength(2);
      expect(await attempt(main, response)).toEqual(refused('status_not_success'));
      const unsolicited = await acmeIdp.response(idpInitiated.sp, {
        ...unique('denied-idp'),
        status,
        sign: { assertion: true, response: true },
      });
      expect(await attempt(idpInitiated, unsolicited)).toEqual(refused('status_not_success'));
    });
  });

  it('two concurrent first sign-ins with one email through two connections: one user, one 200, the other a 409 problem, both audited', async () => {
    const twin = user('twin');
    const requestId = await spInitiated(main);
    const viaMain = await acmeIdp.response(main.sp, { ...twin, inResponseTo: requestId });
    const viaIdp = await acmeIdp.response(idpInitiated.sp, twin);
    const audited = (await h.auditActions(acme)).length;
    const users = await h.userCount(acme);
    // Hold back inserts into the tenant's users until both sign-ins have looked the email up and wait
    // to insert it: the race, every time.
    const usersTable = `${quoteIdent(schemaNameOf(acme.slug))}.users`;
    const lock = await h.deps.pool.connect();
    let both: Promise<request.Response[]> | undefined;
    try {
      await lock.query('BEGIN');
      await lock.query(`LOCK TABLE ${usersTable} IN SHARE MODE`);
      both = Promise.all([post(main, viaMain), post(idpInitiated, viaIdp)]);
      const deadline = Date.now() + 8_000;
      for (;;) {
        const waiting = await lock.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks WHERE relation = $1::regclass AND NOT granted`,
          [usersTable],
        );
        if (waiting.rows[0]?.n === 2) break;
        if (Date.now() > deadline) throw new Error('the two sign-ins never both waited to insert the user');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await lock.query('COMMIT');
      lock.release();
    }
    const answers = await both;
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const conflict = answers.find((r) => r.status === 409);
    expect(conflict?.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(conflict?.body).toMatchObject({ status: 409, code: 'conflict' });
    expect(await h.userCount(acme)).toBe(users + 1);
    const entries = (await h.auditActions(acme)).slice(audited);
    expect(entries.map((e) => e.action).sort()).toEqual(['sso.login_refused', 'sso.login_succeeded']);
    expect(entries.find((e) => e.action === 'sso.login_refused')?.data).toMatchObject({ reason: 'provisioning_conflict' });
  });
});
