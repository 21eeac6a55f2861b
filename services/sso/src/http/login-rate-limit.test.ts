import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tenantKey } from '@mindbot/redis';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

describe('sign-in rate limits per client IP and per tenant, in Redis, held in each process while Redis is away', () => {
  let h: SsoHarness;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    h = await startSsoHarness({ env: { SSO_LOGIN_RATE_PER_IP: '3', SSO_LOGIN_RATE_PER_TENANT: '8', SSO_LOGIN_RATE_WINDOW_SECONDS: '60' } });
    server = h.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await h.close();
  });

  /** A request from a given loopback address (127.0.0.0/8 all reaches the server), as distinct clients would send it. */
  function send(
    tenant: TestTenant,
    from: string,
    method: 'GET' | 'POST',
    path: string,
    body?: { type: string; text: string },
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          localAddress: from,
          agent: false,
          headers: { Host: tenant.host, ...(body ? { 'Content-Type': body.type, 'Content-Length': Buffer.byteLength(body.text) } : {}) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolve({
              status: res.statusCode ?? 0,
              retryAfter,
              contentType: res.headers['content-type'],
              body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body?.text);
    });
  }
  const passwordLogin = (tenant: TestTenant, from: string) =>
    send(tenant, from, 'POST', '/v1/auth/password/login', {
      type: 'application/json',
      text: JSON.stringify({ email: 'nobody@acme.test', password: 'not the password at all' }),
    });
  const samlAcs = (tenant: TestTenant, from: string) =>
    send(tenant, from, 'POST', '/v1/sso/saml/con_unknown/acs', {
      type: 'application/x-www-form-urlencoded',
      text: 'SAMLResponse=PHg%2BPC94Pg%3D%3D',
    });
  const oidcCallback = (tenant: TestTenant, from: string) =>
    send(tenant, from, 'GET', '/v1/sso/oidc/con_unknown/callback?code=abc&state=xyz');

  function expectLimited(answer: Answer) {
    expect(answer.status).toBe(429);
    expect(answer.contentType).toMatch(/application\/problem\+json/);
    expect(answer.body.code).toBe('rate_limited');
    const retryAfter = Number(answer.retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }

  it('limits one client IP across password login, SAML ACS and OIDC callback, while other IPs still sign in', async () => {
    const acme = await h.tenant('rl-ip');
    expect((await passwordLogin(acme, '127.0.0.2')).status).toBe(401);
    expect((await samlAcs(acme, '127.0.0.2')).status).toBe(404);
    expect((await oidcCallback(acme, '127.0.0.2')).status).toBe(404);
    expectLimited(await passwordLogin(acme, '127.0.0.2'));
    expectLimited(await samlAcs(acme, '127.0.0.2'));
    expectLimited(await oidcCallback(acme, '127.0.0.2'));
    expect((await passwordLogin(acme, '127.0.0.3')).status).toBe(401);

    // The counters live under the tenant's own Redis keys and expire with the window.
    const redis = h.deps.redis;
    if (!redis) throw new Error('the harness runs with Redis');
    expect(Number(await redis.get(tenantKey(acme.slug, 'ratelimit', 'login', 'ip', '127.0.0.2')))).toBe(6);
    const ttl = await redis.ttl(tenantKey(acme.slug, 'ratelimit', 'login', 'ip', '127.0.0.2'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
    // Limited attempts never reached the sign-in: one refusal audited per attempt that got through.
    expect((await h.auditActions(acme)).filter((a) => a.action === 'password.login_refused')).toHaveLength(2);
  });

  it('limits a whole tenant across many IPs without touching another tenant', async () => {
    const busy = await h.tenant('rl-busy');
    const quiet = await h.tenant('rl-quiet');
    for (let i = 10; i < 18; i++) expect((await passwordLogin(busy, `127.0.0.${i}`)).status).toBe(401);
    expectLimited(await passwordLogin(busy, '127.0.0.18'));
    expectLimited(await oidcCallback(busy, '127.0.0.19'));
    expect((await passwordLogin(quiet, '127.0.0.18')).status).toBe(401);
    expect((await oidcCallback(quiet, '127.0.0.19')).status).toBe(404);
  });

  it('keeps limiting sign-in attempts in this process (and logs it) while Redis is unreachable', async () => {
    const acme = await h.tenant('rl-open');
    const redis = h.deps.redis;
    if (!redis) throw new Error('the harness runs with Redis');
    redis.disconnect();
    try {
      // The platform's policy (ADR 0053): the same limits, counted in this process until Redis answers again.
      for (let i = 0; i < 3; i++) expect((await passwordLogin(acme, '127.0.0.20')).status).toBe(401);
      expectLimited(await passwordLogin(acme, '127.0.0.20'));
      // The limiter lets another client's callback through; the sign-in state it needs lives in Redis, so it answers a clear 503 to retry.
      const callback = await oidcCallback(acme, '127.0.0.22');
      expect([callback.status, callback.body.code, callback.retryAfter]).toEqual([503, 'unavailable', '5']);
      expect(
        h.logs.some((line) => line.msg === 'rate limiter: redis unreachable; applying the fallback policy' && line.limiter === 'sso-login'),
      ).toBe(true);
    } finally {
      await redis.connect();
    }
    // Back in service, the limit applies again.
    for (let i = 0; i < 3; i++) expect((await passwordLogin(acme, '127.0.0.21')).status).toBe(401);
    expectLimited(await passwordLogin(acme, '127.0.0.21'));
  });
});
