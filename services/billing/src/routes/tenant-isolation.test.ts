import request from 'supertest';
import { describeTenantIsolation } from '@mindbot/testing';
import { SERVICE_TOKEN, startBillingHarness, type BillingHarness } from '../testing/harness.js';

// Tenant B (its users, its admins, and the gateway acting for it on its internal path) naming
// tenant A's packages, sessions and time-card codes.

interface Ids {
  packageId: string;
  sessionId: string;
  code: string;
}

let h: BillingHarness;
/** The job token of a call running in tenant B: the agent serving B's user, naming A's session. */
let jobTokenOfB = '';
const jobOfB = (method: 'get' | 'post', path: string) =>
  request(h.app)[method](`/internal/v1/tenants/${h.tenantB}${path}`).set('Authorization', `Bearer ${jobTokenOfB}`);
const asB = async (role: 'member' | 'admin') =>
  `Bearer ${await h.token(h.tenantB, role === 'admin' ? 'usr_b_admin' : 'usr_owner', [role])}`;
const internalOfB = (path: string) =>
  request(h.app).post(`/internal/v1/tenants/${h.tenantB}${path}`).set('Authorization', `Bearer ${SERVICE_TOKEN}`);

describeTenantIsolation<Ids>({
  service: 'billing',
  async setup() {
    h = await startBillingHarness();
    const packageId = await h.packageOf(h.tenantA, 600);
    await h.grant(h.tenantA, 'usr_owner', packageId);
    const { code } = await h.buyCard(h.tenantA, 'usr_owner');
    const started = await h.internal(h.tenantA).post('/sessions', { userId: 'usr_owner', startKey: 'isolation-start-1' });
    const ofA = { packageId, code, sessionId: (started.body as { sessionId: string }).sessionId };
    await h.grant(h.tenantB, 'usr_b_caller');
    const inB = await h.internal(h.tenantB).post('/sessions', { userId: 'usr_b_caller', startKey: 'isolation-start-b' });
    jobTokenOfB = (inB.body as { jobToken: string }).jobToken;
    return {
      app: h.app,
      ofA,
      missing: { packageId: 'pkg_doesnotexist', sessionId: 'vs_01jzzzzzzzzzzzzzzzzzzzzzzz', code: 'ZZZZ-ZZZZ-ZZZZ' },
    };
  },
  teardown: () => h.close(),
  byId: {
    'PATCH /v1/admin/packages/:id': async ({ packageId }) =>
      request(h.app)
        .patch(`/v1/admin/packages/${packageId}`)
        .set('Authorization', await asB('admin'))
        .send({ priceCents: 100 }),
    'DELETE /v1/admin/packages/:id': async ({ packageId }) =>
      request(h.app)
        .delete(`/v1/admin/packages/${packageId}`)
        .set('Authorization', await asB('admin')),
    'POST /v1/purchases (packageId in the body)': async ({ packageId }) =>
      request(h.app)
        .post('/v1/purchases')
        .set('Authorization', await asB('member'))
        .send({ packageId }),
    'POST /v1/time-cards/activate (code in the body)': async ({ code }) =>
      request(h.app)
        .post('/v1/time-cards/activate')
        .set('Authorization', await asB('member'))
        .send({ code }),
    'POST /internal/v1/tenants/:tenant/sessions/:id/heartbeat': ({ sessionId }) =>
      internalOfB(`/sessions/${sessionId}/heartbeat`).send({ elapsedSeconds: 1 }),
    'POST /internal/v1/tenants/:tenant/sessions/:id/end': ({ sessionId }) =>
      internalOfB(`/sessions/${sessionId}/end`).send({ elapsedSeconds: 1 }),
    'GET /internal/v1/tenants/:tenant/sessions/:id': ({ sessionId }) =>
      request(h.app).get(`/internal/v1/tenants/${h.tenantB}/sessions/${sessionId}`).set('Authorization', `Bearer ${SERVICE_TOKEN}`),
    'GET /internal/v1/tenants/:tenant/sessions/:id/packages': ({ sessionId }) => jobOfB('get', `/sessions/${sessionId}/packages`),
    'POST /internal/v1/tenants/:tenant/sessions/:id/purchases': ({ sessionId, packageId }) =>
      jobOfB('post', `/sessions/${sessionId}/purchases`).send({ packageId }),
    'POST /internal/v1/tenants/:tenant/sessions/:id/events': ({ sessionId }) =>
      jobOfB('post', `/sessions/${sessionId}/events`).send({
        events: [{ seq: 0, kind: 'user', text: 'hello', at: new Date().toISOString() }],
      }),
    'GET /v1/sessions/:id/transcript': async ({ sessionId }) =>
      request(h.app)
        .get(`/v1/sessions/${sessionId}/transcript`)
        .set('Authorization', await asB('member')),
    'GET /v1/admin/sessions/:id/transcript': async ({ sessionId }) =>
      request(h.app)
        .get(`/v1/admin/sessions/${sessionId}/transcript`)
        .set('Authorization', await asB('admin')),
  },
  // A job token opens only its own session: any other id, another tenant's or none at all, is the same 401.
  foreignStatus: (route) => (/sessions\/:id\/(packages|purchases|events)$/.test(route) ? 401 : 404),
  exempt: {
    'POST /internal/v1/tenants/:tenant/sessions': 'names the acting tenant (behind the service credential), not a resource of another',
  },
  lists: Object.fromEntries(
    ['/v1/balance', '/v1/history', '/v1/sessions', '/v1/time-cards', '/v1/purchases', '/v1/admin/packages'].map((path) => [
      `GET ${path}`,
      // The same user id as A's owner, in B: ids are per tenant, so nothing of A's may show.
      async () =>
        request(h.app)
          .get(path)
          .set('Authorization', `Bearer ${await h.token(h.tenantB, 'usr_owner', ['admin'])}`),
    ]),
  ),
  markersOf: ({ packageId, sessionId, code }) => [packageId, sessionId, code, 'Test 600s'],
  alsoProve: () => {
    it('takes the tenant from the token only: a tenant named in the query is not used', async () => {
      const res = await request(h.app)
        .get(`/v1/balance?tenant=${h.tenantB}`)
        .set('Authorization', `Bearer ${await h.token(h.tenantA, 'usr_owner')}`);
      expect(res.status).toBe(200);
      expect(res.body.totalSeconds).toBe(600);
      const inB = await request(h.app)
        .get('/v1/balance')
        .set('Authorization', `Bearer ${await h.token(h.tenantB, 'usr_owner')}`);
      expect(inB.body.totalSeconds).toBe(0);
    });
  },
  snapshotOfA: () =>
    h.deps.tenants.forTenant(h.tenantA).transaction(async (tx) => ({
      packages: await tx.package.findMany({ orderBy: { id: 'asc' } }),
      cards: await tx.timeCard.findMany({ orderBy: { id: 'asc' } }),
      lots: await tx.minuteLot.findMany({ orderBy: { id: 'asc' } }),
      entries: await tx.ledgerEntry.count(),
      sessions: await tx.voiceSession.findMany({ orderBy: { id: 'asc' } }),
      purchases: await tx.purchase.findMany({ orderBy: { id: 'asc' } }),
      events: await tx.voiceSessionEvent.count(),
    })),
});
