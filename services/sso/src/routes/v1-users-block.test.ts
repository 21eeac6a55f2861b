import { decodeJwt } from 'jose';
import request from 'supertest';
import { newId } from '@mindbot/ids';
import { REVOKED_SESSIONS_KEY } from '@mindbot/redis';
import { userStatusSchema } from '@mindbot/sdk/schemas';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

describe('blocking and unblocking a user', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('block');
  });

  afterAll(async () => {
    await h.close();
  });

  const register = async (email = `user-${newId('user')}@acme.test`) => {
    const res = await request(h.app).post('/v1/auth/password/register').set('Host', acme.host).send({ email, password });
    expect(res.status).toBe(201);
    const tokens = res.body as { access_token: string; refresh_token: string; session_id: string };
    return { ...tokens, email, userId: decodeJwt(tokens.access_token).sub ?? '' };
  };
  const as = (token: string) => ({ Host: acme.host, Authorization: `Bearer ${token}` });
  const statusOf = (userId: string) =>
    h.deps.tenants.forTenant(acme.slug).transaction(async (tx) => (await tx.user.findUniqueOrThrow({ where: { id: userId } })).status);
  const login = (email: string) => request(h.app).post('/v1/auth/password/login').set('Host', acme.host).send({ email, password });
  const refresh = (token: string) =>
    request(h.app).post('/v1/auth/token').set('Host', acme.host).send({ grant_type: 'refresh_token', refresh_token: token });

  it('ends every session at once (listed for every service), refuses sign-in and refresh, and unblocking lets the user sign in again', async () => {
    const admin = await h.tokenFor(acme, ['admin']);
    const user = await register();
    const second = (await login(user.email).expect(200)).body as { access_token: string; session_id: string };
    expect((await request(h.app).get('/v1/auth/me').set(as(user.access_token))).status).toBe(200);

    const blocked = await request(h.app).post(`/v1/users/${user.userId}/block`).set(as(admin));
    expect(blocked.status).toBe(200);
    expect(userStatusSchema.parse(blocked.body)).toEqual({ userId: user.userId, status: 'disabled', sessionsEnded: 2 });
    expect(await statusOf(user.userId)).toBe('disabled');
    for (const token of [user.access_token, second.access_token]) {
      const me = await request(h.app).get('/v1/auth/me').set(as(token));
      expect(me.status).toBe(401);
      expect(me.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    // Both sessions are on the shared list every service reads, until their last access token has expired.
    for (const sessionId of [user.session_id, second.session_id]) {
      expect(Number(await h.deps.redis?.zscore(REVOKED_SESSIONS_KEY, sessionId))).toBeGreaterThan(Date.now() + 600_000);
      expect(h.deps.revokedSessions.has(sessionId)).toBe(true);
    }
    expect((await refresh(user.refresh_token)).status).toBe(401);
    expect((await login(user.email)).status).toBe(401);
    expect((await h.auditActions(acme)).filter((a) => a.action === 'user.blocked')).toEqual([
      { action: 'user.blocked', data: { sessionsEnded: 2 } },
    ]);

    const unblocked = await request(h.app).post(`/v1/users/${user.userId}/unblock`).set(as(admin));
    expect(unblocked.status).toBe(200);
    expect(userStatusSchema.parse(unblocked.body)).toEqual({ userId: user.userId, status: 'active', sessionsEnded: 0 });
    expect((await login(user.email)).status).toBe(200);
    // What ended stays ended.
    expect((await refresh(user.refresh_token)).status).toBe(401);
    expect((await request(h.app).get('/v1/auth/me').set(as(user.access_token))).status).toBe(401);
    expect((await h.auditActions(acme)).map((a) => a.action)).toContain('user.unblocked');
  });

  it('refuses without a token (401), for a member (403), for an unknown user (404), for oneself (422) and an admin blocking an owner (403); nothing changes', async () => {
    const user = await register();
    const member = await h.tokenFor(acme, ['member']);
    const admin = await h.tokenFor(acme, ['admin']);
    const owner = await h.tokenFor(acme, ['owner']);
    const ownerId = decodeJwt(owner).sub ?? '';
    const adminId = decodeJwt(admin).sub ?? '';

    expect((await request(h.app).post(`/v1/users/${user.userId}/block`).set('Host', acme.host)).status).toBe(401);
    const forbidden = await request(h.app).post(`/v1/users/${user.userId}/block`).set(as(member));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden');
    expect(
      (
        await request(h.app)
          .post(`/v1/users/${newId('user')}/block`)
          .set(as(admin))
      ).status,
    ).toBe(404);
    expect(
      (
        await request(h.app)
          .post(`/v1/users/${newId('user')}/unblock`)
          .set(as(admin))
      ).status,
    ).toBe(404);
    const self = await request(h.app).post(`/v1/users/${adminId}/block`).set(as(admin));
    expect(self.status).toBe(422);
    expect(self.body.code).toBe('unprocessable');
    expect((await request(h.app).post(`/v1/users/${ownerId}/block`).set(as(admin))).status).toBe(403);
    expect((await request(h.app).post(`/v1/users/${user.userId}/unblock`).set(as(member))).status).toBe(403);

    for (const id of [user.userId, ownerId, adminId]) expect(await statusOf(id)).toBe('active');
    expect((await request(h.app).get('/v1/auth/me').set(as(user.access_token))).status).toBe(200);
    expect((await request(h.app).get('/v1/auth/me').set(as(owner))).status).toBe(200);

    // An owner may block an owner.
    const otherOwner = await h.tokenFor(acme, ['owner']);
    expect((await request(h.app).post(`/v1/users/${ownerId}/block`).set(as(otherOwner))).status).toBe(200);
    expect((await request(h.app).get('/v1/auth/me').set(as(owner))).status).toBe(401);
  });
});
