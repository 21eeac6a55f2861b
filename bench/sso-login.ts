// SSO benchmark: server-side median and p99 of an OIDC callback (code exchange with a local
// oidc-provider included) and of a SAML ACS post, and JWT verifications per second in @mindbot/auth.
// Run: npx tsx bench/sso-login.ts   (needs the local Postgres and Redis; keeps runs short)
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

  // OIDC
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

  // JWT verification in the shared auth package (local JWKS, ES256): without a revocation list (the
  // baseline) and with the check against 100,000 revoked sessions, as every service runs it, in
  // alternating 1 s rounds so both see the same machine.
  const token = await h.tokenFor(tenant, ['member']);
  const revokedUntil = Date.now() + 3_600_000;
  h.deps.revokedSessions.add(Array.from({ length: 100_000 }, (_, i) => ({ sessionId: `ses_bench_${i}`, until: revokedUntil })));
  const options = { jwks: h.sso.keys.jwks, issuer: h.sso.config.SSO_ISSUER, audience: h.sso.config.SSO_AUDIENCE };
  const plain = createTokenVerifier(options);
  const checked = createTokenVerifier({ ...options, revokedSessions: h.deps.revokedSessions });
  const rate = async (verifier: typeof plain) => {
    let verified = 0;
    const began = performance.now();
    while (performance.now() < began + 1_000) {
      await verifier.verify(token);
      verified++;
    }
    return verified / ((performance.now() - began) / 1000);
  };
  const rounds: { plain: number[]; checked: number[] } = { plain: [], checked: [] };
  for (let round = 0; round < 6; round++) {
    rounds.plain.push(await rate(plain));
    rounds.checked.push(await rate(checked));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

  // The first few of each kind warm caches (discovery, JWKS, prepared statements): left out.
  process.stdout.write(`${summary('OIDC callback (code exchange incl.)', (durations.get('oidc') ?? []).slice(5))}\n`);
  process.stdout.write(`${summary('SAML ACS post', (durations.get('saml') ?? []).slice(5))}\n`);
  process.stdout.write(`${'JWT verify (ES256)'.padEnd(34)} ${Math.round(median(rounds.plain))} /s on one core (median of 6 rounds)\n`);
  process.stdout.write(
    `${'JWT verify (ES256 + revoked list)'.padEnd(34)} ${Math.round(median(rounds.checked))} /s on one core (${(median(rounds.checked) / median(rounds.plain)).toFixed(2)}× the plain verifier)\n`,
  );
} finally {
  await h.close();
}
