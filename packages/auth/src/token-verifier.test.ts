import { generateKeyPairSync, randomUUID, sign as signBytes, type KeyObject } from 'node:crypto';
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
  describe('algorithms: RS256 and ES256, each pinned to its key', () => {
    const issuerUrl = 'https://sso.test.mindbot';
    const audience = 'mindbot-platform';
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const published = (key: KeyObject, kid: string, alg: string) => ({ ...key.export({ format: 'jwk' }), kid, alg, use: 'sig' });
    const jwks = {
      keys: [
        published(rsa.publicKey, 'k-rsa', 'RS256'),
        published(ec.publicKey, 'k-ec', 'ES256'),
        published(weak.publicKey, 'k-weak', 'RS256'),
      ],
    };
    const verifier = createTokenVerifier({ jwks, issuer: issuerUrl, audience, verifiedCacheSize: 0 });
    const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = () => {
      const now = Math.floor(Date.now() / 1000);
      return {
        iss: issuerUrl,
        aud: audience,
        sub: 'usr_1',
        tid: 'acme',
        roles: ['member'],
        sid: `ses_${randomUUID()}`,
        jti: randomUUID(),
        iat: now,
        exp: now + 300,
      };
    };
    /** A compact JWS signed with node:crypto, so any header (and any key, however weak) can be tried. */
    const compact = (header: Record<string, unknown>, key: KeyObject, payload: Record<string, unknown> = claims()) => {
      const input = `${segment(header)}.${segment(payload)}`;
      const signature = signBytes('sha256', Buffer.from(input), key.asymmetricKeyType === 'ec' ? { key, dsaEncoding: 'ieee-p1363' } : key);
      return `${input}.${signature.toString('base64url')}`;
    };
    const refusal = (token: string) =>
      verifier.verify(token).then(
        () => 'accepted',
        (error: unknown) => (error instanceof Error ? String(error.cause) : 'unknown'),
      );

    it('accepts RS256 tokens of the RSA key and ES256 tokens of the EC key of one JWKS, as during a rotation from one to the other', async () => {
      await expect(verifier.verify(compact({ alg: 'RS256', kid: 'k-rsa', typ: 'JWT' }, rsa.privateKey))).resolves.toMatchObject({
        userId: 'usr_1',
        tenant: 'acme',
      });
      await expect(verifier.verify(compact({ alg: 'ES256', kid: 'k-ec', typ: 'JWT' }, ec.privateKey))).resolves.toMatchObject({
        userId: 'usr_1',
        tenant: 'acme',
      });
    });

    it("refuses a token whose algorithm is not its key's: swapped algorithms, HMAC keyed with the public key, none", async () => {
      const publicJwkAsSecret = Buffer.from(JSON.stringify(jwks.keys[0]));
      const { createHmac } = await import('node:crypto');
      const hmacInput = `${segment({ alg: 'HS256', kid: 'k-rsa' })}.${segment(claims())}`;
      const hmac = `${hmacInput}.${createHmac('sha256', publicJwkAsSecret).update(hmacInput).digest('base64url')}`;
      expect(await refusal(compact({ alg: 'ES256', kid: 'k-rsa' }, ec.privateKey))).toBe('Error: ERR_JWKS_NO_MATCHING_KEY');
      expect(await refusal(compact({ alg: 'RS256', kid: 'k-ec' }, rsa.privateKey))).toBe('Error: ERR_JWKS_NO_MATCHING_KEY');
      expect(await refusal(compact({ alg: 'PS256', kid: 'k-rsa' }, rsa.privateKey))).toBe('Error: ERR_JOSE_ALG_NOT_ALLOWED');
      expect(await refusal(hmac)).toBe('Error: ERR_JOSE_ALG_NOT_ALLOWED');
      expect(await refusal(`${segment({ alg: 'none', kid: 'k-rsa' })}.${segment(claims())}.`)).toBe('Error: ERR_JWS_INVALID');
    });

    it('refuses an RSA key under 2048 bits, a token without kid, critical header extensions and a re-spelled signature', async () => {
      expect(await refusal(compact({ alg: 'RS256', kid: 'k-weak' }, weak.privateKey))).toBe('Error: ERR_JWK_WRONG_TYPE');
      expect(await refusal(compact({ alg: 'RS256' }, rsa.privateKey))).toBe('Error: ERR_JWS_INVALID');
      expect(await refusal(compact({ alg: 'RS256', kid: 'k-rsa', crit: ['exp'], exp: 1 }, rsa.privateKey))).toBe('Error: ERR_JWS_INVALID');
      expect(await refusal(compact({ alg: 'RS256', kid: 'k-rsa', b64: false, crit: ['b64'] }, rsa.privateKey))).toBe(
        'Error: ERR_JWS_INVALID',
      );
      // 256 signature bytes take 342 base64url characters, the last carrying 4 unused bits: a
      // different last character can decode to the same bytes; one token, one spelling.
      const token = compact({ alg: 'RS256', kid: 'k-rsa' }, rsa.privateKey);
      const last = token.slice(-1);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? last;
      expect(await refusal(`${token.slice(0, -1)}${sibling}`)).toBe('Error: ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      expect(await refusal(token)).toBe('accepted');
    });

    it('refuses a token not yet valid (nbf), of another issuer, or without the platform claims', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect(await refusal(compact({ alg: 'RS256', kid: 'k-rsa' }, rsa.privateKey, { ...claims(), nbf: now + 60 }))).toBe(
        'Error: ERR_JWT_CLAIM_VALIDATION_FAILED',
      );
      expect(await refusal(compact({ alg: 'RS256', kid: 'k-rsa' }, rsa.privateKey, { ...claims(), iss: 'https://evil.example' }))).toBe(
        'Error: ERR_JWT_CLAIM_VALIDATION_FAILED',
      );
      const { jti: _jti, ...withoutJti } = claims();
      expect(await refusal(compact({ alg: 'RS256', kid: 'k-rsa' }, rsa.privateKey, withoutJti))).toBe('Error: ERR_CLAIMS_INVALID');
      expect(await refusal(compact({ alg: 'RS256', kid: 'k-rsa' }, rsa.privateKey, { ...claims(), aud: ['other', audience] }))).toBe(
        'accepted',
      );
    });
  });
});
