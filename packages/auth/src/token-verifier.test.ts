import express from 'express';
import request from 'supertest';
import { SignJWT, UnsecuredJWT, decodeJwt, generateKeyPair } from 'jose';
import { problemHandler } from '@mindbot/errors';
import { createLogger } from '@mindbot/logger';
import { createTestTokenIssuer, type TestTokenIssuer } from '@mindbot/testing';
import { pinoHttp } from 'pino-http';
import { requireAuth, requireRole, principalOf } from './require-auth.js';
import { createTokenVerifier, type RevokedSessions, type TokenVerifier } from './token-verifier.js';

describe('platform token verification', () => {
  let issuer: TestTokenIssuer;
  let verifier: TokenVerifier;
  let app: express.Express;

  beforeAll(async () => {
    issuer = await createTestTokenIssuer();
    verifier = createTokenVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience });
    app = express();
    app.use(pinoHttp({ logger: createLogger({ name: 'auth-test', level: 'silent' }) }));
    app.get('/me', requireAuth(verifier), (_req, res) => {
      res.json(principalOf(res));
    });
    app.get('/admin', requireAuth(verifier), requireRole('admin', 'owner'), (_req, res) => {
      res.json({ ok: true });
    });
    app.use(problemHandler);
  });

  it('accepts a valid token and exposes the principal, tenant from the token', async () => {
    const token = await issuer.sign({ tenant: 'acme', userId: 'usr_1', roles: ['member'] });
    const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: 'usr_1', tenant: 'acme', roles: ['member'] });
  });

  it('refuses a missing, malformed, expired, wrong-audience or unknown-key token with the same 401', async () => {
    const other = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const tokens = [
      '',
      'Bearer not-a-jwt',
      `Bearer ${await issuer.sign({ tenant: 'acme' }, { expiresInSeconds: -60 })}`,
      `Bearer ${await issuer.sign({ tenant: 'acme', aud: 'someone-else' })}`,
      `Bearer ${await issuer.sign({ tenant: 'acme' }, { kid: 'unknown-kid' })}`,
      `Bearer ${await new SignJWT({ tid: 'acme', roles: [], sid: 's' })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuer(issuer.issuer)
        .setAudience(issuer.audience)
        .setSubject('u')
        .setJti('j')
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(other.privateKey)}`,
      `Bearer ${new UnsecuredJWT({ tid: 'acme', roles: ['owner'], sid: 's' })
        .setIssuer(issuer.issuer)
        .setAudience(issuer.audience)
        .setSubject('u')
        .setJti('j')
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .encode()}`,
      `Bearer ${await issuer.sign({ tenant: 'ACME; DROP' })}`,
    ];
    for (const authorization of tokens) {
      const res = await request(app).get('/me').set('Authorization', authorization);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('unauthenticated');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('refuses a signed-in user without the required role with 403', async () => {
    const member = await issuer.sign({ tenant: 'acme', roles: ['member'] });
    const admin = await issuer.sign({ tenant: 'acme', roles: ['admin'] });
    expect((await request(app).get('/admin').set('Authorization', `Bearer ${member}`)).status).toBe(403);
    expect((await request(app).get('/admin').set('Authorization', `Bearer ${admin}`)).status).toBe(200);
  });

  it('refuses a token it accepted before once the token has expired (a remembered token is checked for expiry every time)', async () => {
    let clock = Date.now();
    const remembering = createTokenVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience, now: () => clock });
    const token = await issuer.sign({ tenant: 'acme', userId: 'usr_1' }, { expiresInSeconds: 30 });
    await expect(remembering.verify(token)).resolves.toMatchObject({ userId: 'usr_1' });
    clock += 20_000;
    await expect(remembering.verify(token)).resolves.toMatchObject({ userId: 'usr_1' });
    // Past exp and the 5 s clock tolerance.
    clock += 16_000;
    await expect(remembering.verify(token)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('gives each caller its own principal, so changing one does not change what the next request gets', async () => {
    const token = await issuer.sign({ tenant: 'acme', userId: 'usr_1', roles: ['member'] });
    const first = await verifier.verify(token);
    (first.roles as string[]).push('owner');
    await expect(verifier.verify(token)).resolves.toMatchObject({ roles: ['member'] });
  });

  describe('revoked sessions', () => {
    /** A revocation list as the verifier sees it; loaded when `load` is called. */
    function revocationList(): RevokedSessions & { revoke(sessionId: string): void; load(): void } {
      const revoked = new Set<string>();
      let load: () => void = () => undefined;
      const firstLoad = new Promise<void>((resolve) => {
        load = resolve;
      });
      return { has: (sessionId) => revoked.has(sessionId), firstLoad, revoke: (sessionId) => revoked.add(sessionId), load: () => load() };
    }
    const sessionOf = (token: string) => String(decodeJwt(token).sid);

    it('refuses a token of a revoked session with the same 401 as an invalid one, and still accepts the other sessions', async () => {
      const list = revocationList();
      list.load();
      const revocable = createTokenVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience, revokedSessions: list });
      const ended = await issuer.sign({ tenant: 'acme', userId: 'usr_1' });
      const live = await issuer.sign({ tenant: 'acme', userId: 'usr_1' });
      await expect(revocable.verify(ended)).resolves.toMatchObject({ userId: 'usr_1', sessionId: sessionOf(ended) });
      list.revoke(sessionOf(ended));
      const refused = await revocable.verify(ended).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toMatchObject({
        code: 'unauthenticated',
        message: 'The access token is missing, invalid or expired.',
        options: { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } },
      });
      expect((refused as Error).cause).toEqual(new Error('ERR_SESSION_REVOKED'));
      await expect(revocable.verify(live)).resolves.toMatchObject({ sessionId: sessionOf(live) });
    });

    it('waits for the first load of the list, so a session revoked before the process started is refused', async () => {
      const list = revocationList();
      const revocable = createTokenVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience, revokedSessions: list });
      const token = await issuer.sign({ tenant: 'acme' });
      const verifying = revocable.verify(token).then(
        () => 'accepted',
        (error: unknown) => (error instanceof Error ? String(error.cause) : 'unknown'),
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The list arrives from Redis after the request came in; the request is judged by it.
      list.revoke(sessionOf(token));
      list.load();
      expect(await verifying).toBe('Error: ERR_SESSION_REVOKED');
    });
  });
});
