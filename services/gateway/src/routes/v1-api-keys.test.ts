import request from 'supertest';
import { apiKeyCreatedSchema, problemSchema, type ApiKeyCreated } from '@mindbot/sdk/schemas';
import { uniqueSlug } from '@mindbot/testing';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

describe('gateway: API keys', () => {
  let h: GatewayHarness;
  let acme: string;
  let globex: string;
  let admin: string;
  const host = () => `${acme}.localhost`;

  beforeAll(async () => {
    h = await startGatewayHarness();
    acme = uniqueSlug('acme');
    globex = uniqueSlug('globex');
    await h.provision(acme);
    await h.provision(globex);
    admin = await h.token(acme, 'usr_admin', ['admin']);
  });

  afterAll(async () => {
    await h.close();
  });

  const create = (body: object, token = admin) =>
    request(h.app).post('/v1/api-keys').set('Host', host()).set('Authorization', `Bearer ${token}`).send(body);
  /** Creates a key that must succeed, typed by the SDK's own schema. */
  const createKey = async (body: object): Promise<ApiKeyCreated> => {
    const res = await create(body);
    expect(res.status).toBe(201);
    return apiKeyCreatedSchema.parse(res.body);
  };

  it('lets an admin create a prefixed key that is shown once and stored only as a hash', async () => {
    const res = await create({ name: 'backend', environment: 'test', permissions: ['api-keys:read'] });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const created = apiKeyCreatedSchema.parse(res.body);
    expect(created.key).toMatch(/^mb_test_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).toMatchObject({
      name: 'backend',
      environment: 'test',
      permissions: ['api-keys:read'],
      hint: created.key.slice(-4),
      revokedAt: null,
    });
    const live = await createKey({ name: 'prod', permissions: ['voice:sessions'] });
    expect(live.key).toMatch(/^mb_live_/);

    const list = await request(h.app).get('/v1/api-keys').set('Host', host()).set('Authorization', `Bearer ${admin}`);
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain(created.key);
    expect(JSON.stringify(list.body)).toContain(created.apiKey.id);
    expect(JSON.stringify(list.body)).toContain(live.apiKey.id);
    const stored = await h.deps.tenants
      .forTenant(acme)
      .transaction((tx) => tx.apiKey.findUniqueOrThrow({ where: { id: created.apiKey.id } }));
    expect(stored.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(created.key.slice(8));
  });

  it('authenticates with the key (header or Bearer), enforces its permissions and tracks last use', async () => {
    const body = await createKey({ name: 'reader', permissions: ['api-keys:read'] });
    const viaHeader = await request(h.app).get('/v1/api-keys').set('Host', host()).set('X-Api-Key', body.key);
    expect(viaHeader.status).toBe(200);
    const viaBearer = await request(h.app).get('/v1/api-keys').set('Host', host()).set('Authorization', `Bearer ${body.key}`);
    expect(viaBearer.status).toBe(200);
    let used = null;
    for (let i = 0; i < 40 && !used; i++) {
      used = (await h.deps.tenants.forTenant(acme).transaction((tx) => tx.apiKey.findUniqueOrThrow({ where: { id: body.apiKey.id } })))
        .lastUsedAt;
      if (!used) await new Promise((r) => setTimeout(r, 50));
    }
    expect(used).toBeInstanceOf(Date);

    const voiceOnly = await createKey({ name: 'voice', permissions: ['voice:sessions'] });
    const refused = await request(h.app).get('/v1/api-keys').set('Host', host()).set('X-Api-Key', voiceOnly.key);
    expect(refused.status).toBe(403);
    // A key can never create keys, nor reach SSO or billing.
    expect(
      (
        await request(h.app)
          .post('/v1/api-keys')
          .set('Host', host())
          .set('X-Api-Key', body.key)
          .send({ name: 'x', permissions: ['api-keys:read'] })
      ).status,
    ).toBe(401);
    expect((await request(h.app).get('/v1/balance').set('Host', host()).set('X-Api-Key', body.key)).status).toBe(401);
    expect((await request(h.app).get('/v1/auth/me').set('Host', host()).set('X-Api-Key', body.key)).status).toBe(403);
  });

  it('refuses a revoked key at once, and revocation is idempotent', async () => {
    const body = await createKey({ name: 'short-lived', permissions: ['api-keys:read'] });
    expect((await request(h.app).get('/v1/api-keys').set('Host', host()).set('X-Api-Key', body.key)).status).toBe(200);
    const revoke = await request(h.app)
      .delete(`/v1/api-keys/${body.apiKey.id}`)
      .set('Host', host())
      .set('Authorization', `Bearer ${admin}`);
    expect(revoke.status).toBe(204);
    const after = await request(h.app).get('/v1/api-keys').set('Host', host()).set('X-Api-Key', body.key);
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/revoked/);
    expect(
      (await request(h.app).delete(`/v1/api-keys/${body.apiKey.id}`).set('Host', host()).set('Authorization', `Bearer ${admin}`)).status,
    ).toBe(204);
  });

  it('revokes on every gateway at once, even one that had the key cached (NOTIFY)', async () => {
    const other = await startGatewayHarness({ database: h.database, issuer: h.issuer });
    try {
      const body = await createKey({ name: 'shared', permissions: ['api-keys:read'] });
      expect((await request(other.app).get('/v1/api-keys').set('Host', host()).set('X-Api-Key', body.key)).status).toBe(200);
      expect(
        (await request(h.app).delete(`/v1/api-keys/${body.apiKey.id}`).set('Host', host()).set('Authorization', `Bearer ${admin}`)).status,
      ).toBe(204);
      let status = 200;
      for (let i = 0; i < 40 && status === 200; i++) {
        status = (await request(other.app).get('/v1/api-keys').set('Host', host()).set('X-Api-Key', body.key)).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('refuses another tenant’s key, unknown and malformed keys with 401, and another tenant’s key id with 404', async () => {
    const globexAdmin = await h.token(globex, 'usr_g', ['owner']);
    const otherRes = await request(h.app)
      .post('/v1/api-keys')
      .set('Host', `${globex}.localhost`)
      .set('Authorization', `Bearer ${globexAdmin}`)
      .send({ name: 'g', permissions: ['api-keys:read'] });
    expect(otherRes.status).toBe(201);
    const other = apiKeyCreatedSchema.parse(otherRes.body);
    for (const key of [other.key, `mb_live_${'A'.repeat(43)}`, 'mb_live_short', 'sk_live_whatever']) {
      const res = await request(h.app).get('/v1/api-keys').set('Host', host()).set('X-Api-Key', key);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthenticated');
    }
    const crossRevoke = await request(h.app)
      .delete(`/v1/api-keys/${other.apiKey.id}`)
      .set('Host', host())
      .set('Authorization', `Bearer ${admin}`);
    expect(crossRevoke.status).toBe(404);
    expect((await request(h.app).get('/v1/api-keys').set('Host', `${globex}.localhost`).set('X-Api-Key', other.key)).status).toBe(200);
    expect((await request(h.app).delete('/v1/api-keys/not-an-id').set('Host', host()).set('Authorization', `Bearer ${admin}`)).status).toBe(
      404,
    );
  });

  it('refuses members, anonymous callers and bad input without writing anything', async () => {
    const before = await h.deps.tenants.forTenant(acme).transaction((tx) => tx.apiKey.count());
    const member = await h.token(acme, 'usr_member', ['member']);
    expect((await create({ name: 'x', permissions: ['api-keys:read'] }, member)).status).toBe(403);
    expect(
      (
        await request(h.app)
          .post('/v1/api-keys')
          .set('Host', host())
          .send({ name: 'x', permissions: ['api-keys:read'] })
      ).status,
    ).toBe(401);
    const bad = await create({ name: '', permissions: ['root'], extra: true });
    expect(bad.status).toBe(400);
    expect(problemSchema.parse(bad.body).errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['body.name', 'body.permissions.0']));
    expect((await create({ name: 'past', permissions: ['api-keys:read'], expiresAt: '2001-01-01T00:00:00Z' })).status).toBe(400);
    const malformed = await request(h.app)
      .post('/v1/api-keys')
      .set('Host', host())
      .set('Authorization', `Bearer ${admin}`)
      .set('Content-Type', 'application/json')
      .send('{"name":');
    expect(malformed.status).toBe(400);
    const huge = await create({ name: 'x'.repeat(200_000), permissions: ['api-keys:read'] });
    expect(huge.status).toBe(413);
    expect(await h.deps.tenants.forTenant(acme).transaction((tx) => tx.apiKey.count())).toBe(before);
  });

  it('refuses an expired key', async () => {
    const body = await createKey({
      name: 'expiring',
      permissions: ['api-keys:read'],
      expiresAt: new Date(Date.now() + 1_500).toISOString(),
    });
    expect((await request(h.app).get('/v1/api-keys').set('Host', host()).set('X-Api-Key', body.key)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_600));
    expect((await request(h.app).get('/v1/api-keys').set('Host', host()).set('X-Api-Key', body.key)).status).toBe(401);
  });
});
