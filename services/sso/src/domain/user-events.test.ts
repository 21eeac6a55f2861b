import request from 'supertest';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

// A new account is announced to the tenant's webhook endpoints (`user.created`) with its roles, in
// the transaction that made it; a failed registration announces nothing.
describe('SSO’s user.created webhook event', () => {
  let h: SsoHarness;
  let acme: TestTenant;

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('hooks');
    await h.deps.tenants.forTenant(acme.slug).transaction((tx) =>
      tx.webhookEndpoint.create({
        data: {
          id: 'whe_sso_test',
          url: 'https://hooks.example/users',
          events: ['user.created'],
          secret: 'whsec_x',
          createdBy: 'usr_admin',
        },
      }),
    );
  });

  afterAll(async () => {
    await h.close();
  });

  it('announces a registration once, with the member role, and nothing for a refused one', async () => {
    const register = (email: string, password: string) =>
      request(h.app).post('/v1/auth/password/register').set('Host', acme.host).send({ email, password });
    expect((await register('new@acme.test', 'a long enough passphrase')).status).toBe(201);
    expect((await register('new@acme.test', 'a long enough passphrase')).status).toBe(409);
    expect((await register('weak@acme.test', 'short')).status).toBe(400);

    const events = await h.deps.tenants
      .forTenant(acme.slug)
      .transaction((tx) => tx.webhookEvent.findMany({ where: { type: 'user.created' }, select: { payload: true } }));
    expect(events).toHaveLength(1);
    expect(events[0]?.payload).toMatchObject({ type: 'user.created', data: { email: 'new@acme.test', roles: ['member'] } });
  });
});
