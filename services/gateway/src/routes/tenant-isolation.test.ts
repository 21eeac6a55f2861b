import request from 'supertest';
import { apiKeyCreatedSchema, voiceSessionSchema } from '@mindbot/sdk/schemas';
import { newId } from '@mindbot/ids';
import { newWebhookId, newWebhookSecret, recordWebhookEvent } from '@mindbot/jobs';
import { createTestDatabase, describeTenantIsolation, freePort, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { startBillingProcess, type BillingProcess } from '../testing/billing-process.js';
import { LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, startGatewayHarness, type GatewayHarness } from '../testing/harness.js';
import { startLiveKit, type LiveKitServer } from '../testing/livekit.js';

// Tenant B's admin, on B's host, naming tenant A's API keys and voice sessions. The routes the
// gateway forwards to billing and SSO are proven by those services' own runs of this suite.

interface Ids {
  apiKeyId: string;
  sessionId: string;
  webhookEndpointId: string;
  webhookDeliveryId: string;
}

let database: TestDatabase;
let h: GatewayHarness;
let livekit: LiveKitServer;
let billing: BillingProcess;
const tenantA = uniqueSlug('iso-a');
const tenantB = uniqueSlug('iso-b');
const asB = async () => ({ Host: `${tenantB}.localhost`, Authorization: `Bearer ${await h.token(tenantB, 'usr_admin', ['admin'])}` });

describeTenantIsolation<Ids>({
  service: 'gateway',
  async setup() {
    database = await createTestDatabase();
    const billingPort = await freePort();
    livekit = await startLiveKit({ apiKey: LIVEKIT_DEV_KEY, apiSecret: LIVEKIT_DEV_SECRET });
    h = await startGatewayHarness({
      database,
      billingUrl: `http://127.0.0.1:${billingPort}`,
      livekit: { url: livekit.url, apiUrl: livekit.apiUrl },
    });
    await h.provision(tenantA);
    await h.provision(tenantB);
    billing = await startBillingProcess({ databaseUrl: database.url, issuer: h.issuer, port: billingPort });
    const asA = { Host: `${tenantA}.localhost`, Authorization: `Bearer ${await h.token(tenantA, 'usr_admin', ['admin'])}` };
    const key = await request(h.app)
      .post('/v1/api-keys')
      .set(asA)
      .send({ name: 'a-integration', permissions: ['api-keys:read'] });
    // B's admin has A's admin's user id: ids are per tenant, so that must not open A's sessions.
    await h.grantSeconds(tenantA, 'usr_admin', 600);
    const session = await request(h.app).post('/v1/voice/sessions').set(asA).send({});
    expect([key.status, session.status]).toEqual([201, 201]);
    // A's webhook endpoint and a logged delivery, written as the admin API and the deliverer would (no public target resolves offline).
    const webhookEndpointId = newWebhookId('endpoint');
    const webhookDeliveryId = newWebhookId('delivery');
    await h.deps.tenants.forTenant(tenantA).transaction(async (tx) => {
      await tx.webhookEndpoint.create({
        data: {
          id: webhookEndpointId,
          url: 'https://a.example/hooks',
          events: ['user.created'],
          secret: newWebhookSecret(),
          createdBy: 'usr_admin',
        },
      });
      const eventId = await recordWebhookEvent(tx, 'user.created', { userId: 'usr_a', email: 'a@example.com', roles: [] }, new Date());
      await tx.webhookDelivery.create({
        data: {
          id: webhookDeliveryId,
          endpointId: webhookEndpointId,
          eventId,
          eventType: 'user.created',
          attempt: 1,
          status: 'succeeded',
          responseStatus: 204,
        },
      });
    });
    const ofA = {
      apiKeyId: apiKeyCreatedSchema.parse(key.body).apiKey.id,
      sessionId: voiceSessionSchema.parse(session.body).sessionId,
      webhookEndpointId,
      webhookDeliveryId,
    };
    return {
      app: h.app,
      ofA,
      missing: {
        apiKeyId: newId('apiKey'),
        sessionId: newId('voiceSession'),
        webhookEndpointId: newWebhookId('endpoint'),
        webhookDeliveryId: newWebhookId('delivery'),
      },
    };
  },
  async teardown() {
    await h.close();
    await billing.stop();
    await livekit.stop();
    await database.dispose();
  },
  byId: {
    'DELETE /v1/api-keys/:id': async ({ apiKeyId }) =>
      request(h.app)
        .delete(`/v1/api-keys/${apiKeyId}`)
        .set(await asB()),
    'POST /v1/voice/sessions/:id/end': async ({ sessionId }) =>
      request(h.app)
        .post(`/v1/voice/sessions/${sessionId}/end`)
        .set(await asB())
        .send({}),
    'GET /v1/webhook-endpoints/:id': async ({ webhookEndpointId }) =>
      request(h.app)
        .get(`/v1/webhook-endpoints/${webhookEndpointId}`)
        .set(await asB()),
    'PATCH /v1/webhook-endpoints/:id': async ({ webhookEndpointId }) =>
      request(h.app)
        .patch(`/v1/webhook-endpoints/${webhookEndpointId}`)
        .set(await asB())
        .send({ status: 'disabled' }),
    'DELETE /v1/webhook-endpoints/:id': async ({ webhookEndpointId }) =>
      request(h.app)
        .delete(`/v1/webhook-endpoints/${webhookEndpointId}`)
        .set(await asB()),
    'POST /v1/webhook-endpoints/:id/rotate-secret': async ({ webhookEndpointId }) =>
      request(h.app)
        .post(`/v1/webhook-endpoints/${webhookEndpointId}/rotate-secret`)
        .set(await asB()),
    'POST /v1/webhook-endpoints/:id/test': async ({ webhookEndpointId }) =>
      request(h.app)
        .post(`/v1/webhook-endpoints/${webhookEndpointId}/test`)
        .set(await asB()),
    'GET /v1/webhook-endpoints/:id/deliveries': async ({ webhookEndpointId }) =>
      request(h.app)
        .get(`/v1/webhook-endpoints/${webhookEndpointId}/deliveries`)
        .set(await asB()),
    'POST /v1/webhook-deliveries/:id/replay': async ({ webhookDeliveryId }) =>
      request(h.app)
        .post(`/v1/webhook-deliveries/${webhookDeliveryId}/replay`)
        .set(await asB()),
  },
  lists: {
    'GET /v1/api-keys': async () =>
      request(h.app)
        .get('/v1/api-keys')
        .set(await asB()),
    'GET /v1/webhook-endpoints': async () =>
      request(h.app)
        .get('/v1/webhook-endpoints')
        .set(await asB()),
  },
  markersOf: ({ apiKeyId, sessionId, webhookEndpointId }) => [apiKeyId, sessionId, 'a-integration', webhookEndpointId, 'a.example'],
  snapshotOfA: () =>
    h.deps.tenants.forTenant(tenantA).transaction(async (tx) => ({
      keys: await tx.apiKey.findMany({ orderBy: { id: 'asc' }, select: { id: true, revokedAt: true } }),
      sessions: await tx.$queryRaw<unknown[]>`SELECT id, status, settled_seconds FROM voice_sessions ORDER BY id`,
      webhookEndpoints: await tx.webhookEndpoint.findMany({ orderBy: { id: 'asc' } }),
      webhookDeliveries: await tx.webhookDelivery.count(),
      outbox: await tx.outboxEvent.count(),
    })),
});
