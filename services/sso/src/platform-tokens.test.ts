import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import { decodeJwt, decodeProtectedHeader, SignJWT, importJWK } from 'jose';
import request from 'supertest';
import { createTokenVerifier } from '@mindbot/auth';
import { createSsoApp } from './app.js';
import { buildSsoDeps } from './deps.js';
import { newSigningJwk, testSsoConfig } from './testing/sso-test-config.js';
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
    const { keys } = res.body as { keys: Record<string, unknown>[] };
    expect(keys.map((k) => k.kid)).toEqual(['k-current', 'k-next']);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'RSA', e: 'AQAB', alg: 'RS256', use: 'sig' });
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    }
  });

  it('issues RS256 access tokens with every platform claim, which the shared auth package verifies through the JWKS URL', async () => {
    const tokens = await register(acme);
    expect(decodeProtectedHeader(tokens.access_token)).toMatchObject({ alg: 'RS256', kid: 'k-current' });
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

  it('refuses expired, wrong-audience, unknown-kid, alg-none, other-algorithm and malformed tokens with the same 401', async () => {
    const tokens = await register(acme);
    const claims = decodeJwt(tokens.access_token);
    const current = h.sso.config.SSO_SIGNING_KEYS.keys.find((k) => k.kid === 'k-current');
    if (!current) throw new Error('the test configuration has no k-current');
    const real = await importJWK({ ...current }, 'RS256');
    const stranger = await importJWK({ ...newSigningJwk('k-current') }, 'RS256');
    const strangerEc = await importJWK({ ...newSigningJwk('k-current', 'ES256') }, 'ES256');
    const published = (await request(h.app).get('/.well-known/jwks.json')).body as { keys: { kid: string; n: string; e: string }[] };
    const now = Math.floor(Date.now() / 1000);
    const sign = (key: CryptoKey | Uint8Array, over: Record<string, unknown>, kid = 'k-current', alg = 'RS256') =>
      new SignJWT({ ...claims, ...over }).setProtectedHeader({ alg, kid }).sign(key);
    const noneToken = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k-current' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    // The classic confusion: an HMAC keyed with the public key everyone can read.
    const publicKeyAsSecret = new TextEncoder().encode(JSON.stringify(published.keys[0]));
    const bad = [
      await sign(real, {}), // the control: accepted below
      await sign(stranger, {}), // right kid, someone else's key
      await sign(strangerEc, {}, 'k-current', 'ES256'), // right kid, another algorithm
      await sign(publicKeyAsSecret, {}, 'k-current', 'HS256'),
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

  it('keeps ES256 keys configured before RS256 working, and rotates from one to the other without logging anyone out', async () => {
    const before = h.sso.config;
    const ecKey = newSigningJwk('k-ec', 'ES256');
    // Parsed as the service parses its environment, so an EC key set as operators mounted it is proven to load.
    const parseKeys = (keys: Record<string, string>[]) =>
      testSsoConfig({ SSO_SIGNING_KEYS: JSON.stringify({ keys }), SSO_SIGNING_KID: String(keys[0]?.kid) }).SSO_SIGNING_KEYS;
    // The deployment as it was: an EC key signs, an RSA key is published as the next one.
    const ecConfig = { ...before, SSO_SIGNING_KID: 'k-ec', SSO_SIGNING_KEYS: parseKeys([ecKey, newSigningJwk('k-rsa')]) };
    const ecApp = createSsoApp(h.deps, buildSsoDeps(h.deps, ecConfig));
    const jwks = (await request(ecApp).get('/.well-known/jwks.json')).body as { keys: Record<string, string>[] };
    expect(jwks.keys.map((k) => [k.kid, k.kty, k.alg])).toEqual([
      ['k-ec', 'EC', 'ES256'],
      ['k-rsa', 'RSA', 'RS256'],
    ]);
    const register = await request(ecApp)
      .post('/v1/auth/password/register')
      .set('Host', acme.host)
      .send({ email: `ec-${Date.now()}@acme.test`, password: 'correct horse battery staple' });
    expect(register.status).toBe(201);
    const esToken = String(register.body.access_token);
    expect(decodeProtectedHeader(esToken)).toMatchObject({ alg: 'ES256', kid: 'k-ec' });
    expect((await request(ecApp).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${esToken}`)).status).toBe(200);

    // The next deployment: the RSA key signs, the EC key stays published until its tokens expired.
    const keys = ecConfig.SSO_SIGNING_KEYS.keys;
    const rsaConfig = { ...before, SSO_SIGNING_KID: 'k-rsa', SSO_SIGNING_KEYS: { keys: [...keys].reverse() } };
    const rsaApp = createSsoApp(h.deps, buildSsoDeps(h.deps, rsaConfig));
    expect((await request(rsaApp).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${esToken}`)).status).toBe(200);
    const refreshed = await request(rsaApp)
      .post('/v1/auth/token')
      .set('Host', acme.host)
      .send({ grant_type: 'refresh_token', refresh_token: String(register.body.refresh_token) });
    expect(refreshed.status).toBe(200);
    const rsToken = String(refreshed.body.access_token);
    expect(decodeProtectedHeader(rsToken)).toMatchObject({ alg: 'RS256', kid: 'k-rsa' });
    expect((await request(rsaApp).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${rsToken}`)).status).toBe(200);

    // The EC key retired: its tokens are refused, the RSA ones still accepted.
    const retiredConfig = { ...before, SSO_SIGNING_KID: 'k-rsa', SSO_SIGNING_KEYS: { keys: keys.filter((k) => k.kid === 'k-rsa') } };
    const retiredApp = createSsoApp(h.deps, buildSsoDeps(h.deps, retiredConfig));
    expect((await request(retiredApp).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${esToken}`)).status).toBe(
      401,
    );
    expect((await request(retiredApp).get('/v1/auth/me').set('Host', acme.host).set('Authorization', `Bearer ${rsToken}`)).status).toBe(
      200,
    );
  });

  it('refuses to start with a signing key it cannot use, naming the variable and the rule', () => {
    const start = (key: Record<string, unknown>) => () =>
      testSsoConfig({ SSO_SIGNING_KEYS: JSON.stringify({ keys: [{ ...key, kid: 'k1' }] }), SSO_SIGNING_KID: 'k1' });
    const exported = (key: KeyObject) => key.export({ format: 'jwk' }) as Record<string, unknown>;
    expect(start(exported(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey))).toThrow(
      'SSO_SIGNING_KEYS.keys.0.n: must be a modulus of at least 2048 bits',
    );
    expect(start(exported(generateKeyPairSync('ed25519').privateKey))).toThrow(
      'SSO_SIGNING_KEYS.keys.0.kty: must be an RSA or EC P-256 key',
    );
    expect(start(exported(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey))).toThrow('SSO_SIGNING_KEYS.keys.0.d');
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
