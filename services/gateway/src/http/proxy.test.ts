import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { balanceSchema } from '@mindbot/sdk/schemas';
import { createTestDatabase, freePort, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { startBillingProcess, type BillingProcess } from '../testing/billing-process.js';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bytes: number;
}

/** A probe standing where SSO would: it records what the gateway forwards and answers 200. */
async function startProbe(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes });
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-request-id', String(req.headers['x-request-id']));
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('gateway: billing and SSO served through the gateway', () => {
  let database: TestDatabase;
  let h: GatewayHarness;
  let billing: BillingProcess;
  let probe: Awaited<ReturnType<typeof startProbe>>;
  let tenant: string;
  let other: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    probe = await startProbe();
    const billingPort = await freePort();
    h = await startGatewayHarness({ database, billingUrl: `http://127.0.0.1:${billingPort}`, ssoUrl: probe.url, bodyLimit: '10kb' });
    tenant = uniqueSlug('proxy');
    other = uniqueSlug('other');
    await h.provision(tenant);
    await h.provision(other);
    billing = await startBillingProcess({ databaseUrl: database.url, issuer: h.issuer, port: billingPort });
  });

  afterAll(async () => {
    await h.close();
    await billing.stop();
    await probe.close();
    await database.dispose();
  });

  it('serves billing’s balance to a signed-in user, carrying the request id through', async () => {
    await h.grantSeconds(tenant, 'usr_bal', 3600);
    const res = await request(h.app)
      .get('/v1/balance')
      .set('Host', `${tenant}.localhost`)
      .set('Authorization', `Bearer ${await h.token(tenant, 'usr_bal')}`)
      .set('X-Request-Id', 'req-from-client-0001');
    expect(res.status).toBe(200);
    expect(balanceSchema.parse(res.body).availableSeconds).toBe(3600);
    expect(res.headers['x-request-id']).toBe('req-from-client-0001');
    // Billing logs the same request id (its log line may be flushed a moment later).
    for (let i = 0; i < 50 && !billing.output.join('').includes('req-from-client-0001'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(billing.output.join('')).toContain('req-from-client-0001');
  });

  it('stops forged, expired and other-tenant tokens at the gateway: billing never sees them', async () => {
    const tokens = [
      `${(await h.token(tenant, 'usr_x')).slice(0, -3)}abc`,
      await h.issuer.sign({ tenant }, { expiresInSeconds: -100 }),
      await h.token(other, 'usr_x'),
    ];
    for (const [i, token] of tokens.entries()) {
      const id = `req-refused-${i}-${tenant}`;
      const res = await request(h.app)
        .get('/v1/balance')
        .set('Host', `${tenant}.localhost`)
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-Id', id);
      expect(res.status).toBe(401);
    }
    // Give billing's logger time to flush anything it might have seen, then check it saw none.
    await new Promise((r) => setTimeout(r, 1_000));
    for (const i of tokens.keys()) expect(billing.output.join('')).not.toContain(`req-refused-${i}-${tenant}`);
    expect((await request(h.app).get('/v1/balance').set('Host', `${tenant}.localhost`)).status).toBe(401);
    // Billing's internal API is never reachable from outside.
    expect((await request(h.app).post('/internal/v1/tenants/x/sessions').set('Host', `${tenant}.localhost`).send({})).status).toBe(404);
  });

  it('forwards the tenant host, client address, request id and trace context, and drops what the client tried to set', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await request(h.app)
      .post('/v1/auth/password/login')
      .set('Host', `${tenant}.localhost`)
      .set('X-Forwarded-Host', 'victim.localhost')
      .set('X-Forwarded-For', '6.6.6.6')
      .set('traceparent', traceparent)
      .set('X-Request-Id', 'req-trace-0001')
      .send({ email: 'a@b.example', password: 'x' });
    expect(res.status).toBe(200);
    const forwarded = probe.seen.at(-1);
    expect(forwarded?.url).toBe('/v1/auth/password/login');
    expect(forwarded?.headers['x-forwarded-host']).toBe(`${tenant}.localhost`);
    expect(forwarded?.headers['x-forwarded-for']).not.toContain('6.6.6.6');
    expect(forwarded?.headers['x-request-id']).toBe('req-trace-0001');
    expect(forwarded?.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(forwarded?.headers['content-type']).toMatch(/application\/json/);
  });

  it('forwards the port and scheme the client reached the gateway at, not what an untrusted client claims', async () => {
    const res = await request(h.app)
      .post('/v1/auth/password/login')
      .set('Host', `${tenant}.localhost:8080`)
      .set('X-Forwarded-Host', `${other}.localhost:4444`)
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Port', '4444')
      .send({ email: 'a@b.example', password: 'x' });
    expect(res.status).toBe(200);
    const forwarded = probe.seen.at(-1);
    expect(forwarded?.headers['x-forwarded-host']).toBe(`${tenant}.localhost:8080`);
    expect(forwarded?.headers['x-forwarded-proto']).toBe('http');
    expect(forwarded?.headers['x-forwarded-port']).toBeUndefined();
    // The scheme's default port is no port at all.
    await request(h.app)
      .post('/v1/auth/password/login')
      .set('Host', `${tenant}.localhost:80`)
      .send({ email: 'a@b.example', password: 'x' });
    expect(probe.seen.at(-1)?.headers['x-forwarded-host']).toBe(`${tenant}.localhost`);
  });

  it('refuses bodies over the limit before they reach the service', async () => {
    const before = probe.seen.length;
    const res = await request(h.app)
      .post('/v1/auth/password/login')
      .set('Host', `${tenant}.localhost`)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'x'.repeat(20_000) }));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
    expect(probe.seen.length).toBe(before);
  });

  it('answers 503 with Retry-After when a service is down, and keeps serving', async () => {
    const down = await startGatewayHarness({ database, issuer: h.issuer, ssoUrl: `http://127.0.0.1:${await freePort()}` });
    try {
      const res = await request(down.app)
        .post('/v1/auth/password/login')
        .set('Host', `${tenant}.localhost`)
        .send({ email: 'a@b.example', password: 'x' });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect((await request(down.app).get('/v1/branding').set('Host', `${tenant}.localhost`)).status).toBe(200);
    } finally {
      await down.close();
    }
  });
});
