import { jest } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import { MigrationRunner } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { testManifest } from '@mindbot/testing';
import { createApp } from '../app.js';
import { checkoutReturnUrls } from '../domain/purchases.js';
import { startBillingHarness, type BillingHarness } from '../testing/harness.js';

const SHOP = 'https://shop.customer.example';
const SHOP_LOCAL = 'http://shop.localhost:4173';
const OTHER_SHOP = 'https://other-reseller-shop.example';

// The web widget sends the page it is on as `returnUrl`, so a buyer comes back to that page after
// Checkout, on the tenant's own site or on a website the tenant lets embed its widget
// (`embedOrigins`, read through the registry). Any other page is refused before anything exists.
describe('POST /v1/purchases with a returnUrl: Checkout returns to the page the widget is on', () => {
  let h: BillingHarness;
  /** The same billing trusting its loopback peer (the gateway), as TRUST_PROXY=loopback does. */
  let behindGateway: Express;
  let checkout: jest.SpiedFunction<BillingHarness['stripe']['checkout']['sessions']['create']>;

  beforeAll(async () => {
    h = await startBillingHarness();
    behindGateway = createApp({ ...h.deps, trustProxy: 'loopback' }, h.billing);
    // Each tenant names the websites that may embed its widget, through its manifest as an operator applies it.
    const provisioner = new TenantProvisioner({
      pool: h.deps.pool,
      platform: h.deps.platform,
      migrations: await MigrationRunner.load(h.deps.pool),
      region: 'eu-west',
      actor: 'test',
    });
    for (const [slug, origins] of [
      [h.tenantA, [SHOP, SHOP_LOCAL]],
      [h.tenantB, [OTHER_SHOP]],
    ] as const) {
      const manifest = testManifest(slug);
      manifest.spec.plan.concurrentSessions = 100;
      manifest.spec.embedOrigins = [...origins];
      await provisioner.provision(manifest);
      h.deps.registry.invalidate(slug);
    }
    checkout = jest.spyOn(h.stripe.checkout.sessions, 'create');
  });

  afterAll(async () => {
    checkout.mockRestore();
    await h.close();
  });

  const purchasesOf = (userId: string) => h.deps.tenants.forTenant(h.tenantA).transaction((tx) => tx.purchase.count({ where: { userId } }));

  /** Buys pkg_starter in tenant A through `app`; answers the response and the return URLs Stripe was given (if asked). */
  const buy = async (userId: string, body: Record<string, unknown>, app: Express = h.app, headers: Record<string, string> = {}) => {
    checkout.mockClear();
    const bearer = await h.token(h.tenantA, userId);
    const res = await request(app)
      .post('/v1/purchases')
      .set({ Authorization: `Bearer ${bearer}`, ...headers })
      .send({ packageId: 'pkg_starter', ...body });
    const params = checkout.mock.calls.at(-1)?.[0];
    return { res, id: (res.body as { id?: string }).id, success: params?.success_url, cancel: params?.cancel_url };
  };

  it("returns the buyer to the page on a website in the tenant's embedOrigins, keeping its query and dropping its fragment", async () => {
    const bought = await buy('usr_rurl_embed', { returnUrl: `${SHOP}/pricing?plan=pro&ref=a%20b#buy` });
    expect(bought.res.status).toBe(201);
    const id = bought.id ?? '';
    expect(id).toMatch(/^pur_/);
    expect(bought.success).toBe(`${SHOP}/pricing?plan=pro&ref=a%20b&mindbot_checkout=success&mindbot_purchase=${id}`);
    expect(bought.cancel).toBe(`${SHOP}/pricing?plan=pro&ref=a%20b&mindbot_checkout=cancel&mindbot_purchase=${id}`);
    expect(bought.res.body).toMatchObject({ status: 'pending', checkoutUrl: expect.any(String) });
  });

  it('accepts a local http embed origin and a page without a query', async () => {
    const bought = await buy('usr_rurl_local', { returnUrl: `${SHOP_LOCAL}/` });
    expect(bought.res.status).toBe(201);
    expect(bought.success).toBe(`${SHOP_LOCAL}/?mindbot_checkout=success&mindbot_purchase=${bought.id ?? ''}`);
  });

  it('accepts a page on the tenant host the gateway forwarded (the hosted page)', async () => {
    const host = `${h.tenantA}.localhost:8080`;
    const bought = await buy('usr_rurl_own', { returnUrl: `http://${host}/?lang=de` }, behindGateway, {
      'X-Forwarded-Host': host,
      'X-Forwarded-Proto': 'http',
    });
    expect(bought.res.status).toBe(201);
    expect(bought.success).toBe(`http://${host}/?lang=de&mindbot_checkout=success&mindbot_purchase=${bought.id ?? ''}`);
    expect(bought.cancel).toBe(`http://${host}/?lang=de&mindbot_checkout=cancel&mindbot_purchase=${bought.id ?? ''}`);
  });

  it('without a returnUrl, returns to the purchase page as before', async () => {
    const bought = await buy('usr_rurl_none', {});
    expect(bought.res.status).toBe(201);
    expect(bought.success).toBe(`https://app.mindbot.test/billing/purchases/${bought.id ?? ''}?checkout=success`);
  });

  it.each([
    ["another tenant's embed origin", `${OTHER_SHOP}/pricing`],
    ['a foreign origin', 'https://evil.example/'],
    ['an embed origin on another port', 'https://shop.customer.example:8443/'],
    ['an embed origin over http', 'http://shop.customer.example/'],
    ["a look-alike of the tenant's host", 'https://TENANT.evil.example/'],
    ['a tenant host the gateway did not forward', 'https://TENANT.mindbot.test/'],
  ])('refuses %s, with nothing created and Stripe never asked', async (_name, url) => {
    const userId = `usr_rurl_refused_${Math.random().toString(36).slice(2, 8)}`;
    const bought = await buy(userId, { returnUrl: url.replace('TENANT', h.tenantA) });
    expect(bought.res.status).toBe(400);
    expect(bought.res.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'body.returnUrl', message: expect.stringContaining('embedOrigins') }],
    });
    expect(checkout).not.toHaveBeenCalled();
    expect(await purchasesOf(userId)).toBe(0);
  });

  it.each([
    ['a javascript: URL', 'javascript:alert(document.domain)'],
    ['a relative URL', '/pricing?plan=pro'],
    ['a protocol-relative URL', '//shop.customer.example/pricing'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
  ])('refuses %s as no absolute http(s) URL, with nothing created', async (_name, url) => {
    const userId = `usr_rurl_bad_${Math.random().toString(36).slice(2, 8)}`;
    const bought = await buy(userId, { returnUrl: url });
    expect(bought.res.status).toBe(400);
    expect(bought.res.body).toMatchObject({ errors: [{ path: 'body.returnUrl', message: 'must be an absolute http(s) URL' }] });
    expect(checkout).not.toHaveBeenCalled();
    expect(await purchasesOf(userId)).toBe(0);
  });
});

describe('checkoutReturnUrls', () => {
  it('replaces an earlier result of ours in the page query instead of adding a second one', () => {
    const urls = checkoutReturnUrls('https://app.example', 'pur_2', `${SHOP}/?mindbot_checkout=cancel&mindbot_purchase=pur_1&x=1`);
    expect(urls).toEqual({
      success: `${SHOP}/?x=1&mindbot_checkout=success&mindbot_purchase=pur_2`,
      cancel: `${SHOP}/?x=1&mindbot_checkout=cancel&mindbot_purchase=pur_2`,
    });
  });

  it('is the purchase page under the app URL without one', () => {
    expect(checkoutReturnUrls('https://app.example', 'pur_3')).toEqual({
      success: 'https://app.example/billing/purchases/pur_3?checkout=success',
      cancel: 'https://app.example/billing/purchases/pur_3?checkout=cancelled',
    });
  });
});
