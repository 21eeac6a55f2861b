// SSO benchmark: server-side median and p99 of an OIDC callback (code exchange with a local
// oidc-provider included) and of a SAML ACS post, and JWT verifications per second in @mindbot/auth.
// Run: npx tsx bench/sso-login.ts   (needs the local Postgres and Redis; keeps runs short)
//      BENCH_JWT_ONLY=1 npx tsx bench/sso-login.ts   (token verification only)
import { performance } from 'node:perf_hooks';
import express from 'express';
import request from 'supertest';
import { createTokenVerifier } from '@mindbot/auth';
import { freePort } from '@mindbot/testing';
import { completeIdpLogin, startOidcIdp } from '@mindbot/testing/oidc-idp';
import { TestSamlIdp, type SpEndpoints } from '@mindbot/testing/saml-idp';
import { startSsoHarness } from '../services/sso/src/testing/sso-harness.js';

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

  // JWT verification in the shared auth package (local JWKS, ES256), in alternating 1 s rounds so all
  // variants see the same machine. The baseline is the verifier without its cache of verified tokens
  // (a signature check on every call, as before); "repeated token" is what a client sending its
  // access token with every request gets; "a new token each call" is the cold path (every call a
  // token never seen, so the signature is checked each time). All with the check against 100,000
  // revoked sessions, as every service runs it.
  const token = await h.tokenFor(tenant, ['member']);
  const revokedUntil = Date.now() + 3_600_000;
  h.deps.revokedSessions.add(Array.from({ length: 100_000 }, (_, i) => ({ sessionId: `ses_bench_${i}`, until: revokedUntil })));
  const options = { jwks: h.sso.keys.jwks, issuer: h.sso.config.SSO_ISSUER, audience: h.sso.config.SSO_AUDIENCE };
  const distinct: string[] = [];
  for (let i = 0; i < 200; i++) distinct.push(await h.tokenFor(tenant, ['member']));
  const variants = {
    'JWT verify, no cache (baseline)': { verifier: createTokenVerifier({ ...options, verifiedCacheSize: 0 }), tokens: [token] },
    'JWT verify, no cache + revoked list': {
      verifier: createTokenVerifier({ ...options, verifiedCacheSize: 0, revokedSessions: h.deps.revokedSessions }),
      tokens: [token],
    },
    'JWT verify, repeated token': {
      verifier: createTokenVerifier({ ...options, revokedSessions: h.deps.revokedSessions }),
      tokens: [token],
    },
    'JWT verify, a new token each call': {
      // A cache of one entry, cycling through 200 tokens: never a hit.
      verifier: createTokenVerifier({ ...options, verifiedCacheSize: 1, revokedSessions: h.deps.revokedSessions }),
      tokens: distinct,
    },
  };
  const rate = async ({ verifier, tokens }: { verifier: ReturnType<typeof createTokenVerifier>; tokens: string[] }) => {
    let verified = 0;
    const began = performance.now();
    while (performance.now() < began + 1_000) {
      await verifier.verify(tokens[verified % tokens.length] ?? token);
      verified++;
    }
    return verified / ((performance.now() - began) / 1000);
  };
  const rounds = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < 6; round++) {
    for (const [name, variant] of Object.entries(variants)) rounds.get(name)?.push(await rate(variant));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const baseline = median(rounds.get('JWT verify, no cache (baseline)') ?? []);

  // The first few of each kind warm caches (discovery, JWKS, prepared statements): left out.
  if (!jwtOnly) {
    process.stdout.write(`${summary('OIDC callback (code exchange incl.)', (durations.get('oidc') ?? []).slice(5))}\n`);
    process.stdout.write(`${summary('SAML ACS post', (durations.get('saml') ?? []).slice(5))}\n`);
  }
  for (const [name, values] of rounds) {
    process.stdout.write(
      `${name.padEnd(38)} ${String(Math.round(median(values))).padStart(7)} /s on one core (median of 6 rounds, ${(median(values) / baseline).toFixed(2)}× baseline)\n`,
    );
  }
} finally {
  await h.close();
}
