import request from 'supertest';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

describe('a user’s notification preferences', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let globex: TestTenant;

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('prefs');
    globex = await h.tenant('prefs-other');
  });

  afterAll(async () => {
    await h.close();
  });

  const get = (tenant: TestTenant, token?: string) => {
    const req = request(h.app).get('/v1/me/notification-preferences').set('Host', tenant.host);
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };
  const patch = (tenant: TestTenant, body: unknown, token?: string) => {
    const req = request(h.app).patch('/v1/me/notification-preferences').set('Host', tenant.host);
    return (token ? req.set('Authorization', `Bearer ${token}`) : req).send(body as object);
  };
  const savedRows = (tenant: TestTenant) =>
    h.deps.tenants.forTenant(tenant.slug).transaction((tx) => tx.notificationPreference.findMany({ orderBy: { userId: 'asc' } }));

  it('has both optional mails on until the user turns one off, and keeps what a change leaves out', async () => {
    const token = await h.tokenFor(acme, ['member']);
    expect((await get(acme, token)).body).toEqual({ lowBalance: true, minutesExpiring: true });

    const off = await patch(acme, { lowBalance: false }, token);
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ lowBalance: false, minutesExpiring: true });
    expect((await patch(acme, { minutesExpiring: false }, token)).body).toEqual({ lowBalance: false, minutesExpiring: false });
    expect((await patch(acme, { lowBalance: true }, token)).body).toEqual({ lowBalance: true, minutesExpiring: false });
    expect((await get(acme, token)).body).toEqual({ lowBalance: true, minutesExpiring: false });
  });

  it('changes only the signed-in user’s own preferences', async () => {
    const ann = await h.tokenFor(acme, ['member']);
    const bob = await h.tokenFor(acme, ['member']);
    await patch(acme, { lowBalance: false, minutesExpiring: false }, ann).expect(200);
    expect((await get(acme, bob)).body).toEqual({ lowBalance: true, minutesExpiring: true });
  });

  it('refuses bad input with a 400 problem naming the field, and changes nothing', async () => {
    const token = await h.tokenFor(acme, ['member']);
    await patch(acme, { lowBalance: false }, token).expect(200);
    const before = await savedRows(acme);
    for (const body of [{ lowBalance: 'no' }, { receipts: false }, {}, { minutesExpiring: null }, []]) {
      const res = await patch(acme, body, token);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    const named = await patch(acme, { lowBalance: 'no' }, token);
    expect(JSON.stringify(named.body)).toContain('lowBalance');
    expect(await savedRows(acme)).toEqual(before);
    expect((await get(acme, token)).body).toEqual({ lowBalance: false, minutesExpiring: true });
  });

  it('answers 401 without a token, and refuses another tenant’s token, changing nothing', async () => {
    const before = await savedRows(acme);
    expect((await get(acme)).status).toBe(401);
    expect((await patch(acme, { lowBalance: false })).status).toBe(401);
    const foreign = await h.tokenFor(globex, ['member']);
    expect((await patch(acme, { lowBalance: false }, foreign)).status).toBe(401);
    expect(await savedRows(acme)).toEqual(before);
    expect(await savedRows(globex)).toEqual([]);
  });
});
