import { jest } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../app.js';
import { startBillingHarness, type BillingHarness } from '../testing/harness.js';

// Where Stripe sends a buyer (Checkout) or an admin (Connect onboarding) back: the scheme, host and
// port they reached the platform at, as the gateway forwards them — believed only from a hop
// TRUST_PROXY trusts. What Stripe is asked to redirect to is what the person would land on.
describe('Checkout and onboarding return URLs keep the scheme, host and port the platform is reached at', () => {
  let h: BillingHarness;
  /** The same billing trusting its loopback peer (the gateway), as TRUST_PROXY=loopback does. */
  let behindGateway: Express;
  let checkout: jest.SpiedFunction<BillingHarness['stripe']['checkout']['sessions']['create']>;
  let accountLinks: jest.SpiedFunction<BillingHarness['stripe']['accountLinks']['create']>;

  beforeAll(async () => {
    h = await startBillingHarness();
    behindGateway = createApp({ ...h.deps, trustProxy: 'loopback' }, h.billing);
    checkout = jest.spyOn(h.stripe.checkout.sessions, 'create');
    accountLinks = jest.spyOn(h.stripe.accountLinks, 'create');
  });

  afterAll(async () => {
    checkout.mockRestore();
    accountLinks.mockRestore();
    await h.close();
  });

  /** Buys a package through `app` with these headers; answers the return URLs Stripe was given. */
  const buy = async (app: Express, userId: string, headers: Record<string, string>) => {
    const bearer = await h.token(h.tenantA, userId);
    const res = await request(app)
      .post('/v1/purchases')
      .set({ Authorization: `Bearer ${bearer}`, ...headers })
      .send({ packageId: 'pkg_starter' });
    expect(res.status).toBe(201);
    const params = checkout.mock.calls.at(-1)?.[0];
    return { id: (res.body as { id: string }).id, success: params?.success_url, cancel: params?.cancel_url };
  };

  it('returns the buyer to the tenant host and port the gateway forwarded (local: http on :8080)', async () => {
    const bought = await buy(behindGateway, 'usr_ret_local', {
      'X-Forwarded-Host': `${h.tenantA}.localhost:8080`,
      'X-Forwarded-Proto': 'http',
    });
    expect(bought.success).toBe(`http://${h.tenantA}.localhost:8080/billing/purchases/${bought.id}?checkout=success`);
    expect(bought.cancel).toBe(`http://${h.tenantA}.localhost:8080/billing/purchases/${bought.id}?checkout=cancelled`);
  });

  it('keeps https and a non-default port, and drops the default one', async () => {
    const onPort = await buy(behindGateway, 'usr_ret_tls', {
      'X-Forwarded-Host': `${h.tenantA}.mindbot.test:8443`,
      'X-Forwarded-Proto': 'https',
    });
    expect(onPort.success).toBe(`https://${h.tenantA}.mindbot.test:8443/billing/purchases/${onPort.id}?checkout=success`);
    const standard = await buy(behindGateway, 'usr_ret_std', {
      'X-Forwarded-Host': `${h.tenantA}.mindbot.test:443`,
      'X-Forwarded-Proto': 'https',
    });
    expect(standard.success).toBe(`https://${h.tenantA}.mindbot.test/billing/purchases/${standard.id}?checkout=success`);
  });

  it('does not use an X-Forwarded-Host from a peer TRUST_PROXY does not trust: the platform app instead', async () => {
    const bought = await buy(h.app, 'usr_ret_untrusted', {
      'X-Forwarded-Host': `${h.tenantA}.localhost:8080`,
      'X-Forwarded-Proto': 'http',
    });
    expect(bought.success).toBe(`https://app.mindbot.test/billing/purchases/${bought.id}?checkout=success`);
  });

  it("does not send a buyer to a host that is not the tenant's, even from the trusted gateway", async () => {
    const bought = await buy(behindGateway, 'usr_ret_other', {
      'X-Forwarded-Host': `${h.tenantB}.localhost:8080`,
      'X-Forwarded-Proto': 'http',
    });
    expect(bought.success).toBe(`https://app.mindbot.test/billing/purchases/${bought.id}?checkout=success`);
  });

  it('returns an admin from Connect onboarding to the host and port they came from', async () => {
    const admin = await h.token(h.tenantA, 'usr_ret_admin', ['admin']);
    const res = await request(behindGateway)
      .post('/v1/admin/billing/onboarding-link')
      .set({ Authorization: `Bearer ${admin}`, 'X-Forwarded-Host': `${h.tenantA}.localhost:8080`, 'X-Forwarded-Proto': 'http' });
    expect(res.status).toBe(201);
    expect(accountLinks.mock.calls.at(-1)?.[0]).toMatchObject({
      refresh_url: `http://${h.tenantA}.localhost:8080/admin/billing/onboarding?refresh=1`,
      return_url: `http://${h.tenantA}.localhost:8080/admin/billing/onboarding?done=1`,
    });
  });
});
