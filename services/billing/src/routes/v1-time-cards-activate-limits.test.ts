import request from 'supertest';
import { createRedis } from '@mindbot/redis';
import { createApp } from '../app.js';
import { startBillingHarness, type BillingHarness } from '../testing/harness.js';

const PER_USER = 3;
const PER_IP = 5;

// Guessing activation codes: failures are limited per user and per client IP (as the gateway
// forwards it), counted atomically, successes free, and Redis trouble never blocks activation: the
// limits then hold in each process (ADR 0053).
describe('billing: limits on wrong activation codes', () => {
  let h: BillingHarness;
  beforeAll(async () => {
    // trustProxy: these requests come "through the gateway", which sets X-Forwarded-For.
    h = await startBillingHarness({ activationMaxFailures: PER_USER, activationMaxFailuresPerIp: PER_IP, trustProxy: true });
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  const activate = async (userId: string, ip: string, code: string, app = h.app) =>
    request(app)
      .post('/v1/time-cards/activate')
      .set('Authorization', `Bearer ${await h.token(h.tenantA, userId)}`)
      .set('X-Forwarded-For', ip)
      .send({ code });
  let guesses = 0;
  const wrongCode = () =>
    `2222-2222-${String(++guesses % 10_000)
      .padStart(4, '2')
      .replace(/[01]/g, '3')}`;

  it('refuses the next attempt from an IP after its failures, whichever users it signs in as, with a 429 problem and Retry-After', async () => {
    const ip = '203.0.113.7';
    for (let i = 1; i <= PER_IP; i++) expect((await activate(`usr_ip_${i}`, ip, wrongCode())).status).toBe(404);
    const { code } = await h.buyCard(h.tenantA, 'usr_ip_new');
    // A fresh user on that address, even with a right code, waits for the window.
    const limited = await activate('usr_ip_new', ip, code);
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited', retryAfter });
    // The same user from another address is not limited, and the card works.
    expect((await activate('usr_ip_new', '198.51.100.9', code)).status).toBe(201);
  });

  it('does not count successful activations towards the limit', async () => {
    const ip = '203.0.113.20';
    const user = 'usr_success';
    expect((await activate(user, ip, wrongCode())).status).toBe(404);
    expect((await activate(user, ip, wrongCode())).status).toBe(404);
    for (let i = 0; i < 3; i++) {
      const { code } = await h.buyCard(h.tenantA, user);
      expect((await activate(user, ip, code)).status).toBe(201);
    }
    // Two failures and three successes: the third failure is still allowed, the fourth attempt is not.
    expect((await activate(user, ip, wrongCode())).status).toBe(404);
    expect((await activate(user, ip, wrongCode())).status).toBe(429);
  });

  it('lets no more than the limit of concurrent guesses through', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => activate('usr_burst', '203.0.113.30', wrongCode())));
    expect(results.map((r) => r.status).sort()).toEqual([404, 404, 404, 429, 429, 429, 429, 429, 429, 429]);
  });

  it('does not count per IP when billing cannot see the client address (TRUST_PROXY off): the gateway is not one client', async () => {
    const app = createApp({ ...h.deps, trustProxy: false }, h.billing);
    expect(
      h.log.lines.some((l) => typeof l.msg === 'string' && l.msg.startsWith('activation failures are not limited per client IP')),
    ).toBe(true);
    for (let i = 1; i <= PER_IP + 1; i++)
      expect((await activate(`usr_behind_gateway_${i}`, '203.0.113.50', wrongCode(), app)).status).toBe(404);
    // Per user still holds.
    for (let i = 1; i < PER_USER; i++) expect((await activate('usr_behind_gateway_1', '203.0.113.50', wrongCode(), app)).status).toBe(404);
    expect((await activate('usr_behind_gateway_1', '203.0.113.50', wrongCode(), app)).status).toBe(429);
  });

  it('keeps limiting in this process, and logs the switch once, when Redis cannot answer', async () => {
    const unreachable = createRedis('redis://127.0.0.1:1', h.log.logger);
    try {
      const app = createApp({ ...h.deps, redis: unreachable }, h.billing);
      const statuses = [];
      for (let i = 0; i < PER_USER + 2; i++) statuses.push((await activate('usr_no_redis', '203.0.113.40', wrongCode(), app)).status);
      expect(statuses).toEqual([...Array.from({ length: PER_USER }, () => 404), 429, 429]);
      expect(
        h.log.lines.filter(
          (l) => l.msg === 'rate limiter: redis unreachable; applying the fallback policy' && l.limiter === 'activation-failures',
        ),
      ).toHaveLength(1);
    } finally {
      unreachable.disconnect();
    }
  });
});
