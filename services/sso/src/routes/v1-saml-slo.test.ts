import { createSign, createVerify, randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import request from 'supertest';
import samlify from 'samlify';
import { newKeyPair, TestSamlIdp, type KeyPair, type SpEndpoints } from '@mindbot/testing/saml-idp';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

/** A LogoutResponse as the IdP sends it back through the browser (HTTP-Redirect binding), signed with `key` unless null. */
function logoutResponseQuery(options: { issuer: string; destination: string; inResponseTo?: string; key: KeyPair | null }): string {
  const xml =
    `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" Version="2.0" ` +
    `IssueInstant="${new Date().toISOString()}" Destination="${options.destination}"${options.inResponseTo ? ` InResponseTo="${options.inResponseTo}"` : ''}>` +
    `<saml:Issuer>${options.issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`;
  const signed = `SAMLResponse=${encodeURIComponent(deflateRawSync(xml).toString('base64'))}&SigAlg=${encodeURIComponent(RSA_SHA256)}`;
  if (!options.key) return signed;
  const signature = createSign('RSA-SHA256').update(signed).sign(options.key.key, 'base64');
  return `${signed}&Signature=${encodeURIComponent(signature)}`;
}

describe('SAML single logout, initiated by the IdP and by the SP', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let idp: TestSamlIdp;
  let connection: { id: string; saml: SpEndpoints };

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('acme');
    idp = new TestSamlIdp('acme-slo');
    const admin = await h.tokenFor(acme, ['admin']);
    const res = await request(h.app)
      .post('/v1/sso/connections')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'saml', name: 'slo', metadataXml: idp.metadataXml(), settings: { allowIdpInitiated: true } });
    expect(res.status).toBe(201);
    connection = res.body as { id: string; saml: SpEndpoints };
  });

  afterAll(async () => {
    await h.close();
  });

  it('ends the session named by a signed LogoutRequest and answers the IdP with a LogoutResponse; a forged one changes nothing', async () => {
    const sp = connection.saml;
    const login = async (sessionIndex: string) => {
      const res = await request(h.app)
        .post(new URL(sp.acsUrl).pathname)
        .set('Host', acme.host)
        .type('form')
        .send({
          SAMLResponse: await idp.response(sp, { nameId: 'lin@acme.test', attributes: { email: ['lin@acme.test'] }, sessionIndex }),
        });
      expect(res.status).toBe(200);
      return res.body as { refresh_token: string };
    };
    const ended = await login('_sess-a');
    const kept = await login('_sess-b');

    // A LogoutRequest signed by another key is refused and ends nothing.
    const forger = new TestSamlIdp('forger');
    const forged = new URL(forger.logoutRequestUrl(sp, 'lin@acme.test', '_sess-b'));
    const refused = await request(h.app)
      .get(`${new URL(sp.sloUrl).pathname}${forged.search}`)
      .set('Host', acme.host);
    expect(refused.status).toBe(401);

    const logout = new URL(idp.logoutRequestUrl(sp, 'lin@acme.test', '_sess-a'));
    const res = await request(h.app)
      .get(`${new URL(sp.sloUrl).pathname}${logout.search}`)
      .set('Host', acme.host);
    expect(res.status).toBe(302);
    expect(String(res.headers.location)).toMatch(new RegExp(`^${idp.sloUrl}\\?SAMLResponse=`));

    const refresh = (token: string) =>
      request(h.app).post('/v1/auth/token').set('Host', acme.host).send({ grant_type: 'refresh_token', refresh_token: token });
    expect((await refresh(ended.refresh_token)).status).toBe(401);
    expect((await refresh(kept.refresh_token)).status).toBe(200);
    expect((await h.auditActions(acme)).map((a) => a.action)).toContain('sso.single_logout');
  });

  it('SP-initiated: logout answers a LogoutRequest signed by the SP for the IdP, ends the session, and only a signed LogoutResponse to it is accepted', async () => {
    const spKeys = newKeyPair('sp-slo');
    const admin = await h.tokenFor(acme, ['admin']);
    const created = await request(h.app)
      .post('/v1/sso/connections')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kind: 'saml',
        name: 'sp-slo',
        metadataXml: idp.metadataXml(),
        settings: { allowIdpInitiated: true, spCertificate: spKeys.certBase64 },
        secrets: { spPrivateKey: spKeys.key },
      });
    expect(created.status).toBe(201);
    const sp = (created.body as { saml: SpEndpoints }).saml;
    const sloPath = new URL(sp.sloUrl).pathname;
    const signIn = await request(h.app)
      .post(new URL(sp.acsUrl).pathname)
      .set('Host', acme.host)
      .type('form')
      .send({
        SAMLResponse: await idp.response(sp, {
          nameId: 'noor@acme.test',
          attributes: { email: ['noor@acme.test'] },
          sessionIndex: '_sess-sp',
        }),
      });
    expect(signIn.status).toBe(200);
    const tokens = signIn.body as { access_token: string; refresh_token: string };

    const logout = await request(h.app)
      .post('/v1/auth/logout')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${tokens.access_token}`);
    expect(logout.status).toBe(200);
    expect(logout.headers['cache-control']).toBe('no-store');
    const url = new URL((logout.body as { logoutUrl: string }).logoutUrl);
    expect(`${url.origin}${url.pathname}`).toBe(idp.sloUrl);

    // Signed by the SP's key over the exact query the IdP receives.
    const raw = url.search.slice(1).split('&');
    const param = (name: string) => raw.find((p) => p.startsWith(`${name}=`)) ?? '';
    expect(url.searchParams.get('SigAlg')).toBe(RSA_SHA256);
    const signature = url.searchParams.get('Signature') ?? '';
    expect(
      createVerify('RSA-SHA256')
        .update(`${param('SAMLRequest')}&${param('SigAlg')}`)
        .verify(spKeys.cert, signature, 'base64'),
    ).toBe(true);
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
    expect(xml).toContain('LogoutRequest');
    expect(xml).toContain('noor@acme.test');
    expect(xml).toContain('_sess-sp');
    expect(xml).toContain(`Destination="${idp.sloUrl}"`);
    const requestId = /\sID="([^"]+)"/.exec(xml)?.[1] ?? '';
    expect(requestId).not.toBe('');

    // The platform session ended at once: neither token works.
    expect(
      (await request(h.app).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${tokens.access_token}`)).status,
    ).toBe(401);
    expect(
      (
        await request(h.app)
          .post('/v1/auth/token')
          .set('Host', acme.host)
          .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
      ).status,
    ).toBe(401);

    const completed = async () => (await h.auditActions(acme)).filter((a) => a.action === 'sso.sp_logout_completed').length;
    const answer = (query: string) => request(h.app).get(`${sloPath}?${query}`).set('Host', acme.host);
    const base = { issuer: idp.entityId, destination: sp.sloUrl };

    // Forged answers: another key, no signature, a request this SP never sent, no InResponseTo.
    const forgedAnswers = [
      logoutResponseQuery({ ...base, inResponseTo: requestId, key: newKeyPair('forger-slo') }),
      logoutResponseQuery({ ...base, inResponseTo: requestId, key: null }),
      logoutResponseQuery({ ...base, inResponseTo: '_never-sent', key: idp.keys }),
      logoutResponseQuery({ ...base, key: idp.keys }),
    ];
    for (const forged of forgedAnswers) {
      const res = await answer(forged);
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toMatch(/signature|InResponseTo/i);
    }
    expect(await completed()).toBe(0);
    const refusals = (await h.auditActions(acme)).filter((a) => a.action === 'sso.login_refused').map((a) => JSON.stringify(a.data));
    expect(refusals.some((d) => d.includes('saml_logout_response_unsigned'))).toBe(true);
    expect(refusals.some((d) => d.includes('saml_logout_in_response_to_missing'))).toBe(true);

    // The genuine answer is accepted once (the forged ones did not use the pending request up), then never again.
    const genuine = logoutResponseQuery({ ...base, inResponseTo: requestId, key: idp.keys });
    expect((await answer(genuine)).status).toBe(204);
    expect(await completed()).toBe(1);
    expect((await answer(genuine)).status).toBe(401);
    expect(await completed()).toBe(1);
  });

  /** A SAML connection with an SP key, a user signed in through it and logged out: the id of the LogoutRequest the IdP is to answer. */
  async function pendingSpLogout(name: string): Promise<{ sp: SpEndpoints; requestId: string }> {
    const spKeys = newKeyPair(`sp-${name}`);
    const admin = await h.tokenFor(acme, ['admin']);
    const created = await request(h.app)
      .post('/v1/sso/connections')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kind: 'saml',
        name,
        metadataXml: idp.metadataXml(),
        settings: { allowIdpInitiated: true, spCertificate: spKeys.certBase64 },
        secrets: { spPrivateKey: spKeys.key },
      });
    expect(created.status).toBe(201);
    const sp = (created.body as { saml: SpEndpoints }).saml;
    const signIn = await request(h.app)
      .post(new URL(sp.acsUrl).pathname)
      .set('Host', acme.host)
      .type('form')
      .send({
        SAMLResponse: await idp.response(sp, {
          nameId: `${name}@acme.test`,
          attributes: { email: [`${name}@acme.test`] },
          sessionIndex: `_sess-${name}`,
        }),
      });
    expect(signIn.status).toBe(200);
    const logout = await request(h.app)
      .post('/v1/auth/logout')
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${(signIn.body as { access_token: string }).access_token}`);
    expect(logout.status).toBe(200);
    const url = new URL((logout.body as { logoutUrl: string }).logoutUrl);
    const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
    return { sp, requestId: /\sID="([^"]+)"/.exec(xml)?.[1] ?? '' };
  }

  it('SP-initiated, HTTP-POST binding: only a LogoutResponse signed in the XML by the IdP, answering a pending request of this connection, is accepted, once', async () => {
    const { sp, requestId } = await pendingSpLogout('sp-slo-post');
    expect(requestId).not.toBe('');
    const sloPath = new URL(sp.sloUrl).pathname;
    const post = (SAMLResponse: string) => request(h.app).post(sloPath).set('Host', acme.host).type('form').send({ SAMLResponse });
    const completed = async () =>
      (await h.auditActions(acme))
        .filter((a) => a.action === 'sso.sp_logout_completed')
        .map((a) => (a.data as { inResponseTo?: string }).inResponseTo);
    const refusedBefore = (await h.auditActions(acme)).filter((a) => a.action === 'sso.login_refused').length;

    // Forged answers: unsigned, signed by another key, a request this SP never sent, addressed to another SLO URL.
    const forgedAnswers = [
      idp.logoutResponsePost(sp, requestId, { signed: false }),
      idp.logoutResponsePost(sp, requestId, { signingKey: newKeyPair('forger-slo-post') }),
      idp.logoutResponsePost(sp, '_never-sent'),
      idp.logoutResponsePost({ ...sp, sloUrl: `${sp.sloUrl}-elsewhere` }, requestId),
    ];
    for (const forged of forgedAnswers) {
      const res = await post(forged);
      expect(res.status).toBe(401);
      expect(JSON.stringify(res.body)).not.toMatch(/signature|InResponseTo/i);
    }
    expect(await completed()).not.toContain(requestId);
    const reasons = (await h.auditActions(acme))
      .filter((a) => a.action === 'sso.login_refused')
      .slice(refusedBefore)
      .map((a) => (a.data as { reason?: string }).reason);
    expect(reasons).toEqual([
      'saml_logout_response_unsigned',
      'saml_logout_response_invalid',
      'saml_logout_in_response_to_unknown',
      'saml_logout_destination_mismatch',
    ]);

    // The genuine answer (the forged ones used nothing up) is accepted once, then never again.
    const genuine = idp.logoutResponsePost(sp, requestId);
    const accepted = await post(genuine);
    expect(accepted.status).toBe(204);
    expect((await completed()).filter((id) => id === requestId)).toHaveLength(1);
    expect((await post(genuine)).status).toBe(401);
    expect((await post(idp.logoutResponsePost(sp, requestId))).status).toBe(401);
    expect((await completed()).filter((id) => id === requestId)).toHaveLength(1);
  });

  it('SP metadata lists the SLO endpoint with both the HTTP-Redirect and the HTTP-POST binding', async () => {
    const res = await request(h.app)
      .get(new URL(connection.saml.entityId).pathname + '/metadata')
      .set('Host', acme.host);
    expect(res.status).toBe(200);
    // Read as an IdP would import it.
    const meta = samlify.ServiceProvider({ metadata: res.text }).entityMeta;
    expect(meta.getSingleLogoutService('redirect')).toBe(connection.saml.sloUrl);
    expect(meta.getSingleLogoutService('post')).toBe(connection.saml.sloUrl);
    expect(meta.getAssertionConsumerService('post')).toBe(connection.saml.acsUrl);
  });

  it('answers 204 without a logout URL for a session that did not come from a SAML connection with an SP key', async () => {
    const member = await h.tokenFor(acme, ['member']);
    const res = await request(h.app).post('/v1/auth/logout').set('Host', acme.host).set('Authorization', `Bearer ${member}`);
    expect(res.status).toBe(204);
    expect((await request(h.app).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${member}`)).status).toBe(401);
  });
});
