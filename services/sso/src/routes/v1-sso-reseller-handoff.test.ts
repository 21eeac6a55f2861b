import request from 'supertest';
import { problemSchema, resellerHandoffSchema, tokenResponseSchema } from '@mindbot/sdk/schemas';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

// A reseller's admin opens the console of a tenant it sells to: a single-use link to the child's
// console whose code signs them in there with the reseller role, and nothing of anyone else's.
describe('a reseller opens its tenants’ consoles (POST /v1/sso/reseller-handoff)', () => {
  let h: SsoHarness;
  let reseller: TestTenant;
  let child: TestTenant;
  let otherReseller: TestTenant;
  let othersChild: TestTenant;

  beforeAll(async () => {
    h = await startSsoHarness();
    reseller = await h.tenant('resel');
    otherReseller = await h.tenant('rival');
    child = await h.tenant('child', { parentReseller: reseller.slug });
    othersChild = await h.tenant('theirs', { parentReseller: otherReseller.slug });
  });

  afterAll(async () => {
    await h.close();
  });

  const handoff = (token: string, body: object, host = reseller.host) =>
    request(h.app)
      .post('/v1/sso/reseller-handoff')
      .set({ Host: host, Authorization: `Bearer ${token}` })
      .send(body);
  const exchange = (code: string, host = child.host) => request(h.app).post('/v1/sso/exchange').set('Host', host).send({ code });
  const codeOf = (consoleUrl: string) => new URLSearchParams(new URL(consoleUrl).hash.slice(1)).get('code') ?? '';

  it('signs the reseller’s admin in to the child’s console with the reseller role, once, audited in both tenants', async () => {
    const admin = await h.tokenFor(reseller, ['admin']);
    const res = await handoff(admin, { tenant: child.slug });
    expect(res.status).toBe(201);
    const opened = resellerHandoffSchema.parse(res.body);
    expect(opened.consoleUrl.startsWith(`http://${child.host}/console/handoff#code=`)).toBe(true);
    expect(opened.expiresInSeconds).toBe(60);

    const code = codeOf(opened.consoleUrl);
    // Only on the child's host: the reseller's own host does not know the code (and it is not used up there).
    expect((await exchange(code, reseller.host)).status).toBe(401);
    const signedIn = await exchange(code);
    expect(signedIn.status).toBe(200);
    const tokens = tokenResponseSchema.parse(signedIn.body);
    const me = await request(h.app)
      .get('/v1/auth/me')
      .set({ Host: child.host, Authorization: `Bearer ${tokens.access_token}` });
    expect(me.status).toBe(200);
    expect((me.body as { roles: string[] }).roles).toEqual(['reseller']);
    // As an admin of the child: it may list the child's users, where it appears itself.
    const users = await request(h.app)
      .get('/v1/users')
      .set({ Host: child.host, Authorization: `Bearer ${tokens.access_token}` });
    expect(users.status).toBe(200);
    expect(JSON.stringify(users.body)).toContain('"reseller"');
    expect((await exchange(code)).status).toBe(401);

    expect((await h.auditActions(reseller)).map((a) => a.action)).toContain('reseller.console_opened');
    expect((await h.auditActions(child)).map((a) => a.action)).toEqual(expect.arrayContaining(['reseller.handoff', 'sso.code_redeemed']));
    // A second opening reuses the same account in the child.
    const before = await h.userCount(child);
    expect((await handoff(admin, { tenant: child.slug })).status).toBe(201);
    expect(await h.userCount(child)).toBe(before);
  });

  it('answers the same 404 for another reseller’s tenant, the reseller itself and no tenant at all, and creates nothing', async () => {
    const admin = await h.tokenFor(reseller, ['owner']);
    const before = await h.userCount(othersChild);
    for (const tenant of [othersChild.slug, reseller.slug, 'no-such-tenant']) {
      const res = await handoff(admin, { tenant });
      expect(res.status).toBe(404);
      expect(problemSchema.parse(res.body).detail).toBe('This reseller sells to no such tenant.');
    }
    expect(await h.userCount(othersChild)).toBe(before);
  });

  it('refuses members, a reseller acting in a child, bad bodies, and an account the child’s owners blocked', async () => {
    expect((await handoff(await h.tokenFor(reseller, ['member']), { tenant: child.slug })).status).toBe(403);
    // A reseller signed in to its child cannot hop on from there.
    expect((await handoff(await h.tokenFor(child, ['reseller']), { tenant: child.slug }, child.host)).status).toBe(403);
    const admin = await h.tokenFor(reseller, ['admin']);
    for (const body of [{}, { tenant: 'UPPER' }, { tenant: child.slug, extra: 1 }, { tenant: 42 }])
      expect((await handoff(admin, body)).status).toBe(400);

    // The child's owner blocks the reseller's account in the child: the next handoff is refused.
    const opened = resellerHandoffSchema.parse((await handoff(admin, { tenant: child.slug })).body);
    const delegate = tokenResponseSchema.parse((await exchange(codeOf(opened.consoleUrl))).body);
    const me = await request(h.app)
      .get('/v1/auth/me')
      .set({ Host: child.host, Authorization: `Bearer ${delegate.access_token}` });
    const owner = await h.tokenFor(child, ['owner']);
    const blocked = await request(h.app)
      .post(`/v1/users/${(me.body as { id: string }).id}/block`)
      .set({ Host: child.host, Authorization: `Bearer ${owner}` });
    expect(blocked.status).toBe(200);
    expect((await handoff(admin, { tenant: child.slug })).status).toBe(403);
  });

  it('takes the reseller’s access back when the tenant moves to another reseller: role gone, tokens refused, audited', async () => {
    const moving = await h.tenant('moving', { parentReseller: reseller.slug });
    const admin = await h.tokenFor(reseller, ['admin']);
    const opened = resellerHandoffSchema.parse((await handoff(admin, { tenant: moving.slug })).body);
    const delegate = tokenResponseSchema.parse((await exchange(codeOf(opened.consoleUrl), moving.host)).body);
    const me = () =>
      request(h.app)
        .get('/v1/auth/me')
        .set({ Host: moving.host, Authorization: `Bearer ${delegate.access_token}` });
    expect((await me()).status).toBe(200);

    // What the operator writes when the manifest's parentReseller changes.
    await h.deps.platform.tenant.update({ where: { slug: moving.slug }, data: { parentSlug: otherReseller.slug } });

    // The registry's change notification reaches SSO: the access token is refused within moments.
    const deadline = Date.now() + 10_000;
    while ((await me()).status === 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect((await me()).status).toBe(401);
    const refreshed = await request(h.app)
      .post('/v1/auth/token')
      .set('Host', moving.host)
      .send({ grant_type: 'refresh_token', refresh_token: delegate.refresh_token });
    expect(refreshed.status).toBe(401);

    const owner = await h.tokenFor(moving, ['owner']);
    const users = await request(h.app)
      .get('/v1/users')
      .set({ Host: moving.host, Authorization: `Bearer ${owner}` });
    expect(users.status).toBe(200);
    expect(JSON.stringify(users.body)).not.toContain('"reseller"');
    const revoked = (await h.auditActions(moving)).find((a) => a.action === 'reseller.access_revoked');
    expect(revoked?.data).toEqual({ resellerTenant: reseller.slug, parentReseller: otherReseller.slug });
    // The former reseller can no longer open it; the new one can.
    expect((await handoff(admin, { tenant: moving.slug })).status).toBe(404);
    const rival = await h.tokenFor(otherReseller, ['admin']);
    expect((await handoff(rival, { tenant: moving.slug }, otherReseller.host)).status).toBe(201);
  });

  it('refuses a refresh when the link changed while no SSO process heard of it', async () => {
    const moving = await h.tenant('quiet', { parentReseller: reseller.slug });
    const admin = await h.tokenFor(reseller, ['admin']);
    const opened = resellerHandoffSchema.parse((await handoff(admin, { tenant: moving.slug })).body);
    const delegate = tokenResponseSchema.parse((await exchange(codeOf(opened.consoleUrl), moving.host)).body);
    // The grant is handed to another reseller behind SSO's back (as if it missed the notification).
    await h.deps.tenants
      .forTenant(moving.slug)
      .transaction((tx) => tx.userRole.updateMany({ where: { role: { name: 'reseller' } }, data: { resellerSlug: otherReseller.slug } }));
    const refreshed = await request(h.app)
      .post('/v1/auth/token')
      .set('Host', moving.host)
      .send({ grant_type: 'refresh_token', refresh_token: delegate.refresh_token });
    expect(refreshed.status).toBe(401);
  });
});
