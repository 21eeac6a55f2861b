import { decodeJwt } from 'jose';
import request from 'supertest';
import { newId } from '@mindbot/ids';
import { REVOKED_SESSIONS_KEY } from '@mindbot/redis';
import { tenantUserSchema, userListSchema } from '@mindbot/sdk/schemas';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

describe('user admin: listing users, changing roles, removing users', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('users');
  });

  afterAll(async () => {
    await h.close();
  });

  const as = (token: string) => ({ Host: acme.host, Authorization: `Bearer ${token}` });
  const idOf = (token: string) => decodeJwt(token).sub ?? '';
  const register = async (email = `user-${newId('user')}@acme.test`) => {
    const res = await request(h.app).post('/v1/auth/password/register').set('Host', acme.host).send({ email, password }).expect(201);
    const tokens = res.body as { access_token: string; refresh_token: string; session_id: string };
    return { ...tokens, email, userId: idOf(tokens.access_token) };
  };
  const login = (email: string) => request(h.app).post('/v1/auth/password/login').set('Host', acme.host).send({ email, password });
  const me = (token: string) => request(h.app).get('/v1/auth/me').set(as(token));
  const setRoles = (token: string, userId: string, roles: unknown) =>
    request(h.app).put(`/v1/users/${userId}/roles`).set(as(token)).send({ roles });
  const rolesOf = (userId: string) =>
    h.deps.tenants
      .forTenant(acme.slug)
      .transaction(async (tx) =>
        (await tx.userRole.findMany({ where: { userId }, select: { role: { select: { name: true } } } })).map((r) => r.role.name).sort(),
      );

  it('lists users with roles, status and last sign-in, page by page, and finds them by part of an email', async () => {
    const admin = await h.tokenFor(acme, ['admin']);
    const marker = newId('user').slice(-8);
    const ann = await register(`ann-${marker}@acme.test`);
    const bob = await register(`bob-${marker}@acme.test`);
    await request(h.app).post(`/v1/users/${bob.userId}/block`).set(as(admin)).expect(200);

    const found = userListSchema.parse(
      (await request(h.app).get('/v1/users').query({ q: marker.toUpperCase() }).set(as(admin)).expect(200)).body,
    );
    expect(found.users.map((u) => u.email)).toEqual([ann.email, bob.email]);
    expect(found.users[0]).toMatchObject({ id: ann.userId, displayName: null, status: 'active', roles: ['member'] });
    expect(found.users[1]).toMatchObject({ id: bob.userId, status: 'disabled' });
    expect(Date.parse(found.users[0]?.lastSignInAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(found.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string | number> = { limit: 2, ...(cursor ? { cursor } : {}) };
      const page = userListSchema.parse((await request(h.app).get('/v1/users').query(query).set(as(admin)).expect(200)).body);
      expect(page.users.length).toBeLessThanOrEqual(2);
      seen.push(...page.users.map((u) => u.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(seen).toEqual(expect.arrayContaining([ann.userId, bob.userId, idOf(admin)]));
    expect(new Set(seen).size).toBe(seen.length);

    // `%` is a character like any other, not a pattern matching everything.
    const literal = userListSchema.parse((await request(h.app).get('/v1/users').query({ q: '%%' }).set(as(admin)).expect(200)).body);
    expect(literal.users).toEqual([]);

    for (const query of [{ limit: 0 }, { limit: 'many' }, { cursor: 'not-a-cursor' }, { other: 1 }])
      expect((await request(h.app).get('/v1/users').query(query).set(as(admin))).status).toBe(400);
    expect((await request(h.app).get('/v1/users').set('Host', acme.host)).status).toBe(401);
    expect((await request(h.app).get('/v1/users').set(as(ann.access_token))).status).toBe(403);
  });

  it('changes roles: adding keeps sessions; taking one away ends them; unknown roles are named (422); every change is audited with its actor', async () => {
    const admin = await h.tokenFor(acme, ['admin']);
    const user = await register();
    const granted = await setRoles(admin, user.userId, ['member', 'admin']);
    expect(granted.status).toBe(200);
    expect(tenantUserSchema.parse(granted.body)).toMatchObject({ id: user.userId, email: user.email, roles: ['admin', 'member'] });
    expect((await me(user.access_token)).status).toBe(200);
    // The next sign-in carries the new role.
    const again = (await login(user.email).expect(200)).body as { access_token: string; session_id: string };
    expect(decodeJwt(again.access_token).roles).toEqual(['admin', 'member']);

    const taken = await setRoles(admin, user.userId, ['member']);
    expect(taken.status).toBe(200);
    expect(taken.body.roles).toEqual(['member']);
    for (const token of [user.access_token, again.access_token]) expect((await me(token)).status).toBe(401);
    expect(Number(await h.deps.redis?.zscore(REVOKED_SESSIONS_KEY, again.session_id))).toBeGreaterThan(Date.now());

    const unknown = await setRoles(admin, user.userId, ['member', 'wizard', 'sorcerer']);
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([
      { path: 'body.roles', message: 'no role named wizard' },
      { path: 'body.roles', message: 'no role named sorcerer' },
    ]);
    for (const body of [['Admin!'], 'admin', ['member', 'member']]) expect((await setRoles(admin, user.userId, body)).status).toBe(400);
    expect(await rolesOf(user.userId)).toEqual(['member']);

    const changes = await h.deps.tenants.forTenant(acme.slug).transaction((tx) =>
      tx.auditEvent.findMany({
        where: { action: 'user.roles_changed', target: user.userId },
        orderBy: { createdAt: 'asc' },
        select: { actorId: true, data: true },
      }),
    );
    expect(changes).toEqual([
      { actorId: idOf(admin), data: { roles: ['admin', 'member'], previous: ['member'], sessionsEnded: 0 } },
      { actorId: idOf(admin), data: { roles: ['member'], previous: ['admin', 'member'], sessionsEnded: 2 } },
    ]);
  });

  it('only an owner grants or takes away owner, and the last owner keeps it', async () => {
    const tenant = await h.tenant('owners');
    const asIn = (token: string) => ({ Host: tenant.host, Authorization: `Bearer ${token}` });
    const put = (token: string, userId: string, roles: string[]) =>
      request(h.app).put(`/v1/users/${userId}/roles`).set(asIn(token)).send({ roles });
    const owner = await h.tokenFor(tenant, ['owner']);
    const admin = await h.tokenFor(tenant, ['admin']);
    const other = await h.tokenFor(tenant, ['member']);

    expect((await put(admin, idOf(other), ['owner'])).status).toBe(403);
    expect((await put(admin, idOf(owner), ['member'])).status).toBe(403);
    const last = await put(owner, idOf(owner), ['admin']);
    expect(last.status).toBe(409);
    expect(last.body.code).toBe('conflict');
    expect((await request(h.app).get('/v1/auth/me').set(asIn(owner))).body.roles).toEqual(['owner']);

    expect((await put(owner, idOf(other), ['owner'])).status).toBe(200);
    // Now there is another owner, this one may step down (and its session ends with the role).
    const down = await put(owner, idOf(owner), ['admin']);
    expect(down.status).toBe(200);
    expect(down.body.roles).toEqual(['admin']);
    expect((await request(h.app).get('/v1/auth/me').set(asIn(owner))).status).toBe(401);
  });

  it('removes a user: sessions end, sign-in is refused, the email is free again; audited with the actor', async () => {
    const admin = await h.tokenFor(acme, ['admin']);
    const user = await register();
    const removed = await request(h.app).delete(`/v1/users/${user.userId}`).set(as(admin));
    expect(removed.status).toBe(204);
    expect((await me(user.access_token)).status).toBe(401);
    expect(Number(await h.deps.redis?.zscore(REVOKED_SESSIONS_KEY, user.session_id))).toBeGreaterThan(Date.now());
    expect(h.deps.revokedSessions.has(user.session_id)).toBe(true);
    expect((await login(user.email)).status).toBe(401);
    expect(
      (
        await request(h.app)
          .post('/v1/auth/token')
          .set('Host', acme.host)
          .send({ grant_type: 'refresh_token', refresh_token: user.refresh_token })
      ).status,
    ).toBe(401);
    expect((await request(h.app).delete(`/v1/users/${user.userId}`).set(as(admin))).status).toBe(404);
    const entry = await h.deps.tenants.forTenant(acme.slug).transaction((tx) =>
      tx.auditEvent.findFirst({
        where: { action: 'user.removed', target: user.userId },
        select: { actorId: true, data: true, personal: true },
      }),
    );
    // Who it was stays beside the entry, outside the chain's hash (an erasure may blank it).
    expect(entry).toEqual({ actorId: idOf(admin), data: { sessionsEnded: 1 }, personal: { email: user.email } });
    // The address can be invited or registered anew, as a new user.
    const anew = await register(user.email);
    expect(anew.userId).not.toBe(user.userId);
  });

  it('refuses removing oneself (422), an owner by an admin (403), for a member (403), an unknown user (404); nothing changes', async () => {
    const admin = await h.tokenFor(acme, ['admin']);
    const owner = await h.tokenFor(acme, ['owner']);
    const user = await register();
    const self = await request(h.app)
      .delete(`/v1/users/${idOf(admin)}`)
      .set(as(admin));
    expect(self.status).toBe(422);
    expect(
      (
        await request(h.app)
          .delete(`/v1/users/${idOf(owner)}`)
          .set(as(admin))
      ).status,
    ).toBe(403);
    expect(
      (
        await request(h.app)
          .delete(`/v1/users/${idOf(admin)}`)
          .set(as(user.access_token))
      ).status,
    ).toBe(403);
    expect(
      (
        await request(h.app)
          .delete(`/v1/users/${newId('user')}`)
          .set(as(admin))
      ).status,
    ).toBe(404);
    expect((await request(h.app).delete(`/v1/users/${user.userId}`).set('Host', acme.host)).status).toBe(401);
    for (const token of [admin, owner, user.access_token]) expect((await me(token)).status).toBe(200);
    // An owner removes an admin.
    expect(
      (
        await request(h.app)
          .delete(`/v1/users/${idOf(admin)}`)
          .set(as(owner))
      ).status,
    ).toBe(204);
    expect((await me(admin)).status).toBe(401);
  });
});
