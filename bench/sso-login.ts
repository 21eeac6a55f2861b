// SSO benchmark: server-side median and p99 of an OIDC callback (code exchange with a local
// oidc-provider included) and of a SAML ACS post, and platform-token verifications per second in @mindbot/auth.
// Run: npx tsx bench/sso-login.ts   (needs the local Postgres and Redis; keeps runs short)
//      BENCH_JWT_ONLY=1 npx tsx bench/sso-login.ts   (token verification only)
import { performance } from 'node:perf_hooks';
import express from 'express';
import request from 'supertest';
import { cpus, loadavg } from 'node:os';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createTokenVerifier, principalClaimsSchema, type PlatformTokenAlgorithm } from '@mindbot/auth';
import { freePort } from '@mindbot/testing';
import { completeIdpLogin, startOidcIdp } from '@mindbot/testing/oidc-idp';
import { TestSamlIdp, type SpEndpoints } from '@mindbot/testing/saml-idp';
import { SigningKeys } from '../services/sso/src/domain/signing-keys.js';
import { startSsoHarness } from '../services/sso/src/testing/sso-harness.js';
import { newSigningJwk, testSsoConfig } from '../services/sso/src/testing/sso-test-config.js';

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return `${name.padEnd(34)} n=${String(sorted.length).padStart(4)}  median=${at(0.5).toFixed(2)} ms  p99=${at(0.99).toFixed(2)} ms`;
}

const jwtOnly = process.env.BENCH_JWT_ONLY === '1';
const h = await startSsoHarness();
const durations = new Map<string, number[]>();
const timed = express();
timed.use((req, res, next) => {
  const start = performance.now();
  res.on('finish', () => {
    const key = req.path.endsWith('/callback') ? 'oidc' : req.path.endsWith('/acs') ? 'saml' : 'other';
    durations.set(key, [...(durations.get(key) ?? []), performance.now() - start]);
  });
  next();
});
timed.use(h.app);

try {
  const tenant = await h.tenant('bench');
  const admin = await h.tokenFor(tenant, ['admin']);

  // OIDC and SAML logins (BENCH_JWT_ONLY=1 leaves them out)
  if (!jwtOnly) {
    const port = await freePort();
    const created = await request(timed)
      .post('/v1/sso/connections')
      .set('Host', tenant.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kind: 'oidc',
        name: 'bench',
        settings: { issuer: `http://127.0.0.1:${port}`, clientId: 'bench' },
        secrets: { clientSecret: 'bench-secret-0123' },
      });
    const oidcConnection = created.body as { id: string; oidc: { redirectUri: string } };
    const idp = await startOidcIdp({
      port,
      accounts: { u: { email: 'u@bench.test', name: 'U', groups: [] } },
      clients: [{ clientId: 'bench', clientSecret: 'bench-secret-0123', redirectUris: [oidcConnection.oidc.redirectUri] }],
    });
    for (let i = 0; i < 40; i++) {
      const start = await request(timed).get('/v1/sso/login').query({ connection: oidcConnection.id }).set('Host', tenant.host);
      const back = await completeIdpLogin(start.headers.location as string, 'u', { redirectPrefix: tenant.origin });
      const res = await request(timed).get(`${back.pathname}${back.search}`).set('Host', tenant.host);
      if (res.status !== 200) throw new Error(`OIDC callback answered ${res.status}`);
    }
    await idp.close();

    // SAML (IdP-initiated, signed assertion, fresh response each time)
    const samlIdp = new TestSamlIdp('bench');
    const saml = await request(timed)
      .post('/v1/sso/connections')
      .set('Host', tenant.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({ kind: 'saml', name: 'bench-saml', metadataXml: samlIdp.metadataXml(), settings: { allowIdpInitiated: true } });
    const sp = (saml.body as { saml: SpEndpoints }).saml;
    for (let i = 0; i < 60; i++) {
      const response = await samlIdp.response(sp, { nameId: `s${i % 5}@bench.test`, attributes: { email: [`s${i % 5}@bench.test`] } });
      const res = await request(timed)
        .post(new URL(sp.acsUrl).pathname)
        .set('Host', tenant.host)
        .type('form')
        .send({ SAMLResponse: response });
      if (res.status !== 200) throw new Error(`SAML ACS answered ${res.status}`);
    }
  }

  // Platform-token verification in the shared auth package (local JWKS holding an RSA and an EC key,
  // as during a rotation from ES256 to RS256), in alternating 1 s rounds so all variants see the same
  // machine. Each round reports verifications per second of wall time and per second of CPU time the
  // process used (all its threads: WebCrypto works in libuv's pool): "per core" is the second, which
  // stays meaningful when other processes share the cores. The baseline is the path before
  // docs/adr/0060: jose's jwtVerify (WebCrypto) on an ES256 token, the claims parsed as the verifier
  // did, no cache. "A new token each call" is the cold path (every call a token never seen, so the
  // signature is checked each time); "repeated token" is what a client sending its access token with
  // every request gets. All with the check against 100,000 revoked sessions, as every service runs it.
  const revokedUntil = Date.now() + 3_600_000;
  h.deps.revokedSessions.add(Array.from({ length: 100_000 }, (_, i) => ({ sessionId: `ses_bench_${i}`, until: revokedUntil })));
  const { SSO_ISSUER: issuer, SSO_AUDIENCE: audience } = h.sso.config;
  const keysOf = (algorithm: PlatformTokenAlgorithm) => {
    const jwk = newSigningJwk(`bench-${algorithm.toLowerCase()}`, algorithm);
    const { SSO_SIGNING_KEYS } = testSsoConfig({ SSO_SIGNING_KEYS: JSON.stringify({ keys: [jwk] }), SSO_SIGNING_KID: jwk.kid ?? '' });
    return SigningKeys.load({ keys: SSO_SIGNING_KEYS.keys, signingKid: jwk.kid ?? '', issuer, audience });
  };
  const rs256 = keysOf('RS256');
  const es256 = keysOf('ES256');
  const jwks = { keys: [...rs256.jwks.keys, ...es256.jwks.keys] };
  const tokens = async (keys: SigningKeys, count: number) => {
    const minted: string[] = [];
    for (let i = 0; i < count; i++) {
      const claims = {
        sub: `usr_bench_${i}`,
        tid: tenant.slug,
        roles: ['member'],
        sid: `ses_live_${i}`,
        jti: `jti_${keys.currentAlgorithm}_${i}`,
      };
      minted.push((await keys.sign(claims, 600)).token);
    }
    return minted;
  };
  const [rsTokens, esTokens] = [await tokens(rs256, 200), await tokens(es256, 200)];
  const options = { jwks, issuer, audience, revokedSessions: h.deps.revokedSessions };
  // A cache of one entry, cycling through 200 tokens: never a hit.
  const cold = createTokenVerifier({ ...options, verifiedCacheSize: 1 });
  const joseKeys = createLocalJWKSet(jwks);
  const before = {
    async verify(token: string) {
      const { payload } = await jwtVerify(token, joseKeys, {
        issuer,
        audience,
        algorithms: ['ES256'],
        clockTolerance: 5,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      });
      const claims = principalClaimsSchema.parse(payload);
      if (h.deps.revokedSessions.has(claims.sid)) throw new Error('revoked');
      return claims;
    },
  };
  type Variant = { verifier: { verify(token: string): Promise<unknown> }; tokens: string[] };
  const variants: Record<string, Variant> = {
    'before: jose ES256 (baseline)': { verifier: before, tokens: esTokens },
    'ES256, a new token each call': { verifier: cold, tokens: esTokens },
    'RS256, a new token each call': { verifier: cold, tokens: rsTokens },
    'RS256, repeated token': { verifier: createTokenVerifier(options), tokens: rsTokens.slice(0, 1) },
  };
  const rate = async ({ verifier, tokens: cycle }: Variant) => {
    let verified = 0;
    const cpuBefore = process.cpuUsage();
    const began = performance.now();
    while (performance.now() < began + 1_000) {
      await verifier.verify(cycle[verified % cycle.length] ?? '');
      verified++;
    }
    const wallSeconds = (performance.now() - began) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    return { wall: verified / wallSeconds, cpu: verified / ((cpu.user + cpu.system) / 1e6) };
  };
  const loadBefore = loadavg()[0] ?? 0;
  const rounds = new Map<string, { wall: number; cpu: number }[]>(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < 6; round++) {
    for (const [name, variant] of Object.entries(variants)) rounds.get(name)?.push(await rate(variant));
  }
  const loadAfter = loadavg()[0] ?? 0;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const medians = new Map(
    [...rounds].map(([name, values]) => [name, { wall: median(values.map((v) => v.wall)), cpu: median(values.map((v) => v.cpu)) }]),
  );
  const baseline = medians.get('before: jose ES256 (baseline)') ?? { wall: 1, cpu: 1 };

  // The first few of each kind warm caches (discovery, JWKS, prepared statements): left out.
  if (!jwtOnly) {
    process.stdout.write(`${summary('OIDC callback (code exchange incl.)', (durations.get('oidc') ?? []).slice(5))}\n`);
    process.stdout.write(`${summary('SAML ACS post', (durations.get('saml') ?? []).slice(5))}\n`);
  }
  process.stdout.write(
    `token verification, medians of 6 one-second rounds, load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} (${cpus().length} cores)\n`,
  );
  for (const [name, { wall, cpu }] of medians) {
    process.stdout.write(
      `${name.padEnd(32)} ${String(Math.round(wall)).padStart(9)} /s wall (${(wall / baseline.wall).toFixed(2)}×)  ${String(Math.round(cpu)).padStart(9)} /s per CPU-second (${(cpu / baseline.cpu).toFixed(2)}× baseline)\n`,
    );
  }
} finally {
  await h.close();
}
