import request from 'supertest';
import { REVOKED_SESSIONS_KEY } from '@mindbot/redis';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

describe('password login for tenants without an IdP', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  const mail: { email: string; token: string }[] = [];

  beforeAll(async () => {
    h = await startSsoHarness({
      env: { SSO_PASSWORD_MAX_FAILURES: '3', SSO_PASSWORD_LOCKOUT_SECONDS: '600' },
      overrides: { mailer: { send: (_tenant, email, token) => Promise.resolve(void mail.push({ email, token })) } },
    });
    acme = await h.tenant('acme');
  });

  afterAll(async () => {
    await h.close();
  });

  const post = (path: string, body: object) => request(h.app).post(path).set('Host', acme.host).send(body);

  it('registers with an argon2id hash, enforces the policy, and logs in', async () => {
    const weak = await post('/v1/auth/password/register', { email: 'weak@acme.test', password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.errors[0]).toMatchObject({ path: 'body.password' });
    expect(await h.userCount(acme)).toBe(0);

    expect((await post('/v1/auth/password/register', { email: 'Ann@Acme.test', password: 'a long enough passphrase' })).status).toBe(201);
    expect((await post('/v1/auth/password/register', { email: 'ann@acme.test', password: 'another long passphrase' })).status).toBe(409);
    const hash = await h.deps.tenants
      .forTenant(acme.slug)
      .transaction((tx) => tx.user.findUnique({ where: { email: 'ann@acme.test' }, select: { passwordHash: true } }));
    expect(hash?.passwordHash).toMatch(/^\$argon2id\$/);

    const ok = await post('/v1/auth/password/login', { email: 'ann@acme.test', password: 'a long enough passphrase' });
    expect(ok.status).toBe(200);
    expect(ok.body.token_type).toBe('Bearer');
    const wrong = await post('/v1/auth/password/login', { email: 'ann@acme.test', password: 'not the passphrase' });
    const unknown = await post('/v1/auth/password/login', { email: 'nobody@acme.test', password: 'not the passphrase' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('locks the account after repeated failures, even for the right password', async () => {
    await post('/v1/auth/password/register', { email: 'bob@acme.test', password: 'bobs long passphrase' }).expect(201);
    for (let i = 0; i < 3; i++)
      expect((await post('/v1/auth/password/login', { email: 'bob@acme.test', password: 'wrong guess number' })).status).toBe(401);
    const locked = await post('/v1/auth/password/login', { email: 'bob@acme.test', password: 'bobs long passphrase' });
    expect(locked.status).toBe(429);
    expect(
      (await h.auditActions(acme)).some((a) => a.action === 'password.login_refused' && JSON.stringify(a.data).includes('locked')),
    ).toBe(true);
  });

  it('resets a password with a single-use token, ending every session', async () => {
    const session = await post('/v1/auth/password/register', { email: 'cy@acme.test', password: 'cys first passphrase' });
    expect((await post('/v1/auth/password/reset-request', { email: 'cy@acme.test' })).status).toBe(202);
    expect((await post('/v1/auth/password/reset-request', { email: 'ghost@acme.test' })).status).toBe(202);
    const sent = mail.filter((m) => m.email === 'cy@acme.test');
    expect(sent).toHaveLength(1);
    expect(mail.some((m) => m.email === 'ghost@acme.test')).toBe(false);
    const token = sent[0]?.token ?? '';
    expect((await post('/v1/auth/password/reset', { token, password: 'cys second passphrase' })).status).toBe(204);
    expect((await post('/v1/auth/password/reset', { token, password: 'cys third passphrase!' })).status).toBe(400);
    expect(
      (await post('/v1/auth/token', { grant_type: 'refresh_token', refresh_token: session.body.refresh_token as string })).status,
    ).toBe(401);
    // The ended session is on the revocation list every service reads, so its access token is refused everywhere.
    expect(Number(await h.deps.redis?.zscore(REVOKED_SESSIONS_KEY, session.body.session_id as string))).toBeGreaterThan(Date.now());
    expect((await post('/v1/auth/password/login', { email: 'cy@acme.test', password: 'cys first passphrase' })).status).toBe(401);
    expect((await post('/v1/auth/password/login', { email: 'cy@acme.test', password: 'cys second passphrase' })).status).toBe(200);
  });
});
