import request from 'supertest';
import { SERVICE_TOKEN, startBillingHarness, type BillingHarness } from '../testing/harness.js';

// The tenant-isolation suite for every tenant-scoped billing route: tenant B (its users, admins and
// its internal path) reaching tenant A's ids gets exactly the answer a missing id gets, sees none
// of A's data in lists, and A's data is unchanged afterwards.

interface Resources {
  packageId: string;
  sessionId: string;
  code: string;
}

describe('billing: tenant isolation on every tenant-scoped route', () => {
  let h: BillingHarness;
  let a: Resources;
  beforeAll(async () => {
    h = await startBillingHarness();
    const packageId = await h.packageOf(h.tenantA, 600);
    await h.grant(h.tenantA, 'usr_owner', packageId);
    const { code } = await h.buyCard(h.tenantA, 'usr_owner');
    const started = await h.internal(h.tenantA).post('/sessions', { userId: 'usr_owner', startKey: 'isolation-start-1' });
    a = { packageId, code, sessionId: (started.body as { sessionId: string }).sessionId };
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  const snapshotOfA = () =>
    h.deps.tenants.forTenant(h.tenantA).transaction(async (tx) => ({
      packages: await tx.package.findMany({ orderBy: { id: 'asc' } }),
      cards: await tx.timeCard.findMany({ orderBy: { id: 'asc' } }),
      lots: await tx.minuteLot.findMany({ orderBy: { id: 'asc' } }),
      entries: await tx.ledgerEntry.count(),
      sessions: await tx.voiceSession.findMany({ orderBy: { id: 'asc' } }),
    }));

  type Call = (ids: { packageId: string; sessionId: string; code: string }) => Promise<request.Response>;
  const asB = (role: 'member' | 'admin') => async () => `Bearer ${await h.token(h.tenantB, role === 'admin' ? 'usr_b_admin' : 'usr_owner', [role])}`;
  const routes: [string, Call][] = [
    ['PATCH /v1/admin/packages/:id', async ({ packageId }) => request(h.app).patch(`/v1/admin/packages/${packageId}`).set('Authorization', await asB('admin')()).send({ priceCents: 100 })],
    ['DELETE /v1/admin/packages/:id', async ({ packageId }) => request(h.app).delete(`/v1/admin/packages/${packageId}`).set('Authorization', await asB('admin')())],
    ['POST /v1/purchases', async ({ packageId }) => request(h.app).post('/v1/purchases').set('Authorization', await asB('member')()).send({ packageId })],
    ['POST /v1/time-cards/activate', async ({ code }) => request(h.app).post('/v1/time-cards/activate').set('Authorization', await asB('member')()).send({ code })],
    ['POST /internal/…/sessions/:id/heartbeat', ({ sessionId }) => request(h.app).post(`/internal/v1/tenants/${h.tenantB}/sessions/${sessionId}/heartbeat`).set('Authorization', `Bearer ${SERVICE_TOKEN}`).send({ elapsedSeconds: 1 })],
    ['POST /internal/…/sessions/:id/end', ({ sessionId }) => request(h.app).post(`/internal/v1/tenants/${h.tenantB}/sessions/${sessionId}/end`).set('Authorization', `Bearer ${SERVICE_TOKEN}`).send({ elapsedSeconds: 1 })],
  ];
  const missing = { packageId: 'pkg_doesnotexist', sessionId: 'vs_01jzzzzzzzzzzzzzzzzzzzzzzz', code: 'ZZZZ-ZZZZ-ZZZZ' };

  it.each(routes.map(([name, call]) => [name, call] as const))("%s answers another tenant's id exactly like a missing one, changing nothing", async (_name, call) => {
    const before = await snapshotOfA();
    const foreign = await call(a);
    const absent = await call(missing);
    expect(foreign.status).toBe(404);
    expect(absent.status).toBe(404);
    expect(foreign.body.code).toBe(absent.body.code);
    expect(foreign.body.detail).toBe(absent.body.detail);
    expect(await snapshotOfA()).toEqual(before);
  });

  it.each(['/v1/balance', '/v1/history', '/v1/sessions', '/v1/time-cards', '/v1/purchases', '/v1/admin/packages'])("%s shows none of another tenant's data to a user with the same user id", async (path) => {
    const res = await request(h.app).get(path).set('Authorization', `Bearer ${await h.token(h.tenantB, 'usr_owner', ['admin'])}`);
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    for (const id of [a.packageId, a.sessionId, a.code]) expect(text).not.toContain(id);
    expect(text).not.toContain('Test 600s');
  });

  it('takes the tenant from the token only: a tenant named in the query is not used', async () => {
    const res = await request(h.app).get(`/v1/balance?tenant=${h.tenantB}`).set('Authorization', `Bearer ${await h.token(h.tenantA, 'usr_owner')}`);
    expect(res.status).toBe(200);
    expect(res.body.totalSeconds).toBe(600);
    const inB = await request(h.app).get('/v1/balance').set('Authorization', `Bearer ${await h.token(h.tenantB, 'usr_owner')}`);
    expect(inB.body.totalSeconds).toBe(0);
  });
});
