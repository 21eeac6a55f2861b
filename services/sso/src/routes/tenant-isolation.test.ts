import { decodeJwt } from 'jose';
import request from 'supertest';
import { newId } from '@mindbot/ids';
import { TestSamlIdp } from '../test-support/saml-idp.js';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../test-support/sso-harness.js';

// The tenant-isolation suite for every tenant-scoped SSO route: tenant B's admin (on B's host)
// reaching tenant A's connection, domain and user ids gets exactly the answer a missing id gets,
// sees none of A's data in lists, and A's data is unchanged afterwards.

interface Ids {
  connectionId: string;
  samlConnectionId: string;
  domain: string;
  userId: string;
}

describe('sso: tenant isolation on every tenant-scoped route', () => {
  let h: SsoHarness;
  let a: TestTenant;
  let b: TestTenant;
  let ofA: Ids;
  let adminOfB: string;
  let aliveInA: string;

  beforeAll(async () => {
    h = await startSsoHarness();
    a = await h.tenant('iso-a');
    b = await h.tenant('iso-b');
    const adminOfA = await h.tokenFor(a, ['admin']);
    adminOfB = await h.tokenFor(b, ['admin']);
    const asA = { Host: a.host, Authorization: `Bearer ${adminOfA}` };
    const oidc = await request(h.app)
      .post('/v1/sso/connections')
      .set(asA)
      .send({ kind: 'oidc', name: 'a-oidc', settings: { issuer: 'https://idp.a.test', clientId: 'a-client' }, secrets: { clientSecret: 'a-secret-value' } });
    const saml = await request(h.app).post('/v1/sso/connections').set(asA).send({ kind: 'saml', name: 'a-saml', metadataXml: new TestSamlIdp('iso-a').metadataXml() });
    const domain = await request(h.app).post('/v1/sso/domains').set(asA).send({ domain: 'a-corp.test', connectionId: oidc.body.id as string });
    expect([oidc.status, saml.status, domain.status]).toEqual([201, 201, 201]);
    aliveInA = await h.tokenFor(a, ['member']);
    ofA = { connectionId: oidc.body.id as string, samlConnectionId: saml.body.id as string, domain: 'a-corp.test', userId: decodeJwt(aliveInA).sub ?? '' };
    expect(ofA.userId).not.toBe('');
  });

  afterAll(async () => {
    await h.close();
  });

  const snapshotOfA = () =>
    h.deps.tenants.forTenant(a.slug).transaction(async (tx) => ({
      connections: await tx.ssoConnection.findMany({ orderBy: { id: 'asc' } }),
      domains: await tx.ssoDomain.findMany({ orderBy: { domain: 'asc' } }),
      sessions: await tx.authSession.findMany({ orderBy: { id: 'asc' }, select: { id: true, revokedAt: true } }),
      users: await tx.user.count(),
    }));
  const domainsOfB = () => h.deps.tenants.forTenant(b.slug).transaction((tx) => tx.ssoDomain.count());

  type Call = (ids: Ids) => Promise<request.Response>;
  const asB = () => ({ Host: b.host, Authorization: `Bearer ${adminOfB}` });
  const routes: [string, Call][] = [
    ['GET /v1/sso/connections/:id', ({ connectionId }) => request(h.app).get(`/v1/sso/connections/${connectionId}`).set(asB())],
    ['PATCH /v1/sso/connections/:id', ({ connectionId }) => request(h.app).patch(`/v1/sso/connections/${connectionId}`).set(asB()).send({ status: 'disabled', name: 'taken over' })],
    ['DELETE /v1/sso/connections/:id', ({ connectionId }) => request(h.app).delete(`/v1/sso/connections/${connectionId}`).set(asB())],
    ['POST /v1/sso/domains (connectionId)', ({ connectionId }) => request(h.app).post('/v1/sso/domains').set(asB()).send({ domain: 'b-corp.test', connectionId })],
    ['POST /v1/sso/domains/:domain/verify', ({ domain }) => request(h.app).post(`/v1/sso/domains/${domain}/verify`).set(asB())],
    ['POST /v1/users/:userId/sessions/revoke', ({ userId }) => request(h.app).post(`/v1/users/${userId}/sessions/revoke`).set(asB())],
    ['GET /v1/sso/login?connection=', ({ connectionId }) => request(h.app).get('/v1/sso/login').query({ connection: connectionId }).set('Host', b.host)],
    ['GET /v1/sso/saml/:id/metadata', ({ samlConnectionId }) => request(h.app).get(`/v1/sso/saml/${samlConnectionId}/metadata`).set('Host', b.host)],
  ];
  const missing: Ids = { connectionId: newId('connection'), samlConnectionId: newId('connection'), domain: 'never-claimed.test', userId: newId('user') };

  it.each(routes)("%s answers another tenant's id exactly like a missing one, changing nothing", async (_name, call) => {
    const before = await snapshotOfA();
    const domainsBefore = await domainsOfB();
    const foreign = await call(ofA);
    const absent = await call(missing);
    expect(foreign.status).toBeGreaterThanOrEqual(400);
    expect(foreign.status).toBe(absent.status);
    expect(foreign.body.code).toBe(absent.body.code);
    expect(foreign.body.detail).toBe(absent.body.detail);
    expect(foreign.body.errors).toEqual(absent.body.errors);
    expect(foreign.headers.location).toBeUndefined();
    expect(await snapshotOfA()).toEqual(before);
    expect(await domainsOfB()).toBe(domainsBefore);
  });

  it('answers 404 for a foreign id on the routes that name one directly', async () => {
    for (const [name, call] of routes.filter(([n]) => !n.startsWith('POST /v1/sso/domains ('))) {
      expect([name, (await call(ofA)).status]).toEqual([name, 404]);
    }
  });

  it.each(['/v1/sso/connections', '/v1/sso/domains'])("%s shows none of another tenant's data", async (path) => {
    const res = await request(h.app).get(path).set(asB());
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    for (const id of [ofA.connectionId, ofA.samlConnectionId, ofA.domain, 'a-oidc', 'a-saml']) expect(text).not.toContain(id);
  });

  it("refuses tenant A's admin token on tenant B's host, and A's session stays live", async () => {
    const res = await request(h.app).get('/v1/sso/connections').set({ Host: b.host, Authorization: `Bearer ${aliveInA}` });
    expect(res.status).toBe(401);
    const me = await request(h.app).get('/v1/auth/me').set({ Host: a.host, Authorization: `Bearer ${aliveInA}` });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(ofA.userId);
  });
});
