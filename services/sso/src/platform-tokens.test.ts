import type { Server } from 'node:http';
import { decodeJwt, decodeProtectedHeader, SignJWT, importJWK } from 'jose';
import request from 'supertest';
import { createTokenVerifier } from '@mindbot/auth';
import { createSsoApp } from './app.js';
import { buildSsoDeps } from './deps.js';
import { newSigningJwk } from './testing/sso-test-config.js';
import { startSsoHarness, type SsoHarness, type TestTenant } from './testing/sso-harness.js';

describe('platform tokens: access JWTs, JWKS, rotating refresh tokens', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let globex: TestTenant;
  let server: Server;
  let jwksUrl: URL;

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('acme');
    globex = await h.tenant('globex');
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    jwksUrl = new URL(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/.well-known/jwks.json`);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  const register = async (tenant: TestTenant, email = `user-${Date.now()}-${Math.random().toString(16).slice(2)}@acme.test`) => {
    const res = await request(h.app)
      .post('/v1/auth/password/register')
      .set('Host', tenant.host)
      .send({ email, password: 'correct horse battery staple' });
    expect(res.status).toBe(201);
    return res.body as { access_token: string; refresh_token: string; session_id: string; expires_in: number };
  };

  it('publishes the current and the next key, public parts only', async () => {
    const res = await request(h.app).get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect((res.body as { keys: { kid: string }[] }).keys.map((k) => k.kid)).toEqual(['k-current', 'k-next']);
    for (const key of res.body.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key.d).toBeUndefined();
    }
  });

  it('issues ES256 access tokens with every platform claim, which the shared auth package verifies through the JWKS URL', async () => {
    const tokens = await register(acme);
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'ES256', kid: 'k-current' });
    const claims = decodeJwt(tokens.access_token);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'roles', 'sid', 'sub', 'tid']);
    expect(claims).toMatchObject({
      iss: 'https://sso.test.mindbot',
      aud: 'mindbot-platform',
      tid: acme.slug,
      roles: ['member'],
      sid: tokens.session_id,
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);
    const verifier = createTokenVerifier({ jwks: jwksUrl, issuer: 'https://sso.test.mindbot', audience: 'mindbot-platform' });
    await expect(verifier.verify(tokens.access_token)).resolves.toMatchObject({
      tenant: acme.slug,
      roles: ['member'],
      sessionId: tokens.session_id,
    });
    const me = await request(h.app).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${tokens.access_token}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ tenant: acme.slug, roles: ['member'] });
  });

  it('rotates refresh tokens; replaying a rotated one revokes the whole session family', async () => {
    const first = await register(acme);
    const second = await request(h.app)
      .post('/v1/auth/token')
      .set('Host', acme.host)
      .send({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect(second.body.session_id).toBe(first.session_id);
    const replay = await request(h.app)
      .post('/v1/auth/token')
      .set('Host', acme.host)
      .send({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(replay.status).toBe(401);
    // The legitimate holder's newer token is dead too, and so is the session's access token.
    const newer = await request(h.app)
      .post('/v1/auth/token')
      .set('Host', acme.host)
      .send({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token });
    expect(newer.status).toBe(401);
    expect(
      (
        await request(h.app)
          .get('/v1/auth/me')
          .set('Host', acme.host)
          .set('Authorization', `Bearer ${String(second.body.access_token)}`)
      ).status,
    ).toBe(401);
    expect((await h.auditActions(acme)).map((a) => a.action)).toContain('token.refresh_reuse_detected');
  });

  it('ends a session on logout and on admin revocation', async () => {
    const mine = await register(acme);
    expect(
      (await request(h.app).post('/v1/auth/logout').set('Host', acme.host).set('Authorization', `Bearer ${mine.access_token}`)).status,
    ).toBe(204);
    expect(
      (
        await request(h.app)
          .post('/v1/auth/token')
          .set('Host', acme.host)
          .send({ grant_type: 'refresh_token', refresh_token: mine.refresh_token })
      ).status,
    ).toBe(401);

    const victim = await register(acme);
    const userId = decodeJwt(victim.access_token).sub ?? '';
    const member = await h.tokenFor(acme, ['member']);
    expect(
      (await request(h.app).post(`/v1/users/${userId}/sessions/revoke`).set('Host', acme.host).set('Authorization', `Bearer ${member}`))
        .status,
    ).toBe(403);
    const admin = await h.tokenFor(acme, ['admin']);
    const revoked = await request(h.app)
      .post(`/v1/users/${userId}/sessions/revoke`)
      .set('Host', acme.host)
      .set('Authorization', `Bearer ${admin}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ sessionsEnded: 1 });
    expect(
      (
        await request(h.app)
          .post('/v1/auth/token')
          .set('Host', acme.host)
          .send({ grant_type: 'refresh_token', refresh_token: victim.refresh_token })
      ).status,
    ).toBe(401);
  });

  it("refuses a token of tenant A on tenant B's host, and a refresh token of A at B", async () => {
    const tokens = await register(acme);
    const me = await request(h.app).get('/v1/auth/me').set('Host', globex.host).set('Authorization', `Bearer ${tokens.access_token}`);
    expect(me.status).toBe(401);
    const admin = await h.tokenFor(acme, ['admin']);
    expect((await request(h.app).get('/v1/sso/connections').set('Host', globex.host).set('Authorization', `Bearer ${admin}`)).status).toBe(
      401,
    );
    expect(
      (
        await request(h.app)
          .post('/v1/auth/token')
          .set('Host', globex.host)
          .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
      ).status,
    ).toBe(401);
  });

  it('refuses expired, wrong-audience, unknown-kid, alg-none and malformed tokens with the same 401', async () => {
    const tokens = await register(acme);
    const claims = decodeJwt(tokens.access_token);
    const current = h.sso.config.SSO_SIGNING_KEYS.keys.find((k) => k.kid === 'k-current')!;
    const real = await importJWK({ ...current }, 'ES256');
    const stranger = await importJWK({ ...newSigningJwk('k-current') }, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const sign = (key: typeof real | typeof stranger, over: Record<string, unknown>, kid = 'k-current') =>
      new SignJWT({ ...claims, ...over }).setProtectedHeader({ alg: 'ES256', kid }).sign(key);
    const noneToken = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const bad = [
      await sign(real, {}), // the control: accepted below
      await sign(stranger, {}), // right kid, someone else's key
      await sign(real, {}, 'k-unknown'),
      await sign(real, { exp: now - 3600, iat: now - 4000 }),
      await sign(real, { aud: 'another-platform' }),
      await sign(real, { iss: 'https://evil.example' }),
      noneToken,
      'not.a.jwt',
      `${tokens.access_token.slice(0, -4)}AAAA`,
    ];
    const [control, ...refused] = bad;
    expect((await request(h.app).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${control}`)).status).toBe(200);
    for (const token of refused) {
      const res = await request(h.app).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthenticated');
    }
  });

  it('rotates keys without logging anyone out: old access tokens verify while published, refresh tokens keep working', async () => {
    const tokens = await register(acme);
    // Next deployment: the former next key signs, the former current key stays published.
    const before = h.sso.config;
    const rotatedConfig = { ...before, SSO_SIGNING_KID: 'k-next', SSO_SIGNING_KEYS: { keys: [...before.SSO_SIGNING_KEYS.keys].reverse() } };
    const rotated = createSsoApp(h.deps, buildSsoDeps(h.deps, rotatedConfig));
    const jwks = await request(rotated).get('/.well-known/jwks.json');
    expect((jwks.body as { keys: { kid: string }[] }).keys.map((k) => k.kid)).toEqual(['k-next', 'k-current']);
    expect(
      (await request(rotated).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${tokens.access_token}`)).status,
    ).toBe(200);
    const refreshed = await request(rotated)
      .post('/v1/auth/token')
      .set('Host', acme.host)
      .send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(decodeProtectedHeader(String(refreshed.body.access_token))).toMatchObject({ kid: 'k-next' });
    expect(
      (
        await request(h.app)
          .get('/v1/auth/me')
          .set('Host', acme.host)
          .set('Authorization', `Bearer ${String(refreshed.body.access_token)}`)
      ).status,
    ).toBe(200);
  });
});
