import request from 'supertest';
import { uniqueSlug } from '@mindbot/testing';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

describe('gateway: a deployment without LiveKit', () => {
  let h: GatewayHarness;
  let tenant: string;

  beforeAll(async () => {
    h = await startGatewayHarness({ livekit: null });
    tenant = uniqueSlug('novoice');
    await h.provision(tenant);
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers voice-session starts with a 503 problem before reserving anything, and serves the rest', async () => {
    const res = await request(h.app)
      .post('/v1/voice/sessions')
      .set('Host', `${tenant}.localhost`)
      .set('Authorization', `Bearer ${await h.token(tenant, 'usr_a')}`)
      .send({});
    expect(res.status).toBe(503);
    expect(res.body.detail).toMatch(/not configured/);
    expect((await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`)).status).toBe(200);
  });
});
