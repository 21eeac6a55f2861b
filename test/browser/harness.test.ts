import { stat } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import {
  contrastRatio,
  embeddingPage,
  expectNoSeriousA11yViolations,
  launchBrowser,
  newTestPage,
  screenshot,
  seriousA11yViolations,
  startStaticSite,
  type StaticSite,
  type TestPage,
  Teardown,
} from '../support/browser.js';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { secondsOfDuration } from '../support/browser-widget.js';

// The browser tests' own harness, checked against what it stands on: Chromium reaches pages of other
// origins under *.localhost and the tenant hosts; the fake microphone works there (a secure context);
// the accessibility check does fail on a page with a serious violation; screenshots are written; and
// the platform of `npm start` sells, pays (the local Checkout page, back to the session's return URL)
// and credits time cards.

describe('the browser tests’ harness', () => {
  let platform: BrowserPlatform;
  let site: StaticSite;
  let browser: Browser;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let tenant: string;

  beforeAll(async () => {
    site = teardown.add(await startStaticSite(), (s) => s.close());
    platform = teardown.add(await startBrowserPlatform(), (p) => p.stop());
    tenant = await platform.addTenant('harness', { displayName: 'Harness Co', embedOrigins: [site.origin('shop.localhost')] });
    site.page('/', embeddingPage('Shop', []));
    site.page(
      '/bad',
      '<!doctype html><html><head><title>Bad</title></head><body><main><p style="color:#ccc;background:#fff">Pale text</p><button></button><img src="x.png"></main></body></html>',
    );
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  it('serves a page on its own origin, with a working fake microphone, a screenshot, and an accessibility check that can fail', async () => {
    tab = await newTestPage(browser);
    const { page } = tab;
    await page.goto(`${site.origin('shop.localhost')}/`);
    expect(await page.evaluate(() => window.location.origin)).toBe(site.origin('shop.localhost'));
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    const tracks = await page.evaluate(async () => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const kinds = stream.getTracks().map((t) => `${t.kind}:${t.readyState}`);
      stream.getTracks().forEach((t) => t.stop());
      return kinds;
    });
    expect(tracks).toEqual(['audio:live']);
    await expectNoSeriousA11yViolations(page);
    const file = await screenshot(page, 'harness-embedding-page');
    expect((await stat(file)).size).toBeGreaterThan(1_000);

    await page.goto(`${site.origin('elsewhere.localhost')}/bad`);
    const violations = await seriousA11yViolations(page);
    expect(violations.join('\n')).toMatch(/color-contrast|button-name|image-alt/);
  }, 60_000);

  it('reaches the tenant through its host, and pays on the local Checkout page, back at the session’s return URL', async () => {
    tab = await newTestPage(browser);
    const { page, context } = tab;
    const branding = await page.goto(`${platform.tenantOrigin(tenant)}/v1/branding`);
    expect(branding?.status()).toBe(200);
    expect(await branding?.json()).toMatchObject({ tenant, displayName: 'Harness Co' });

    const token = await platform.signUp(tenant, `harness-${Date.now()}@shop.example`, 'a long browser password 42');
    const packages = (await platform.api(tenant, 'GET', '/v1/packages', { token })).body.packages as { id: string }[];
    const bought = await platform.api(tenant, 'POST', '/v1/purchases', { token, body: { packageId: packages[0]?.id } });
    expect(bought.status).toBe(201);
    const checkoutUrl = String(bought.body.checkoutUrl);
    const sessionId = /cs_test_[A-Za-z0-9]+/.exec(checkoutUrl)?.[0] ?? '';
    const back = platform.checkoutReturn(sessionId);
    expect(back?.successUrl).toMatch(/^http/);

    await platform.serveLocalCheckout(context);
    await page.goto(checkoutUrl);
    await screenshot(page, 'harness-local-checkout');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(back?.successUrl ?? '', { timeout: 20_000 });
    const purchases = (await platform.api(tenant, 'GET', '/v1/purchases', { token })).body.purchases as { id: string; status: string }[];
    expect(purchases.find((p) => p.id === bought.body.id)?.status).toBe('paid');

    // And the helpers the journeys use: a paid card's code credits its seconds.
    const card = await platform.buyCard(tenant, token);
    expect((await platform.api(tenant, 'POST', '/v1/time-cards/activate', { token, body: { code: card.code } })).status).toBe(201);
    const cards = (await platform.api(tenant, 'GET', '/v1/time-cards', { token })).body.timeCards as { status: string; seconds: number }[];
    const balance = await platform.api(tenant, 'GET', '/v1/balance', { token });
    expect(balance.body.availableSeconds).toBe(card.seconds);
    expect(cards.filter((c) => c.status === 'issued')).toHaveLength(1);
  }, 90_000);

  it('reads durations and contrast as the widget shows them', () => {
    expect(secondsOfDuration('12 min 30 s')).toBe(750);
    expect(secondsOfDuration('1 h 5 min')).toBe(3_900);
    expect(secondsOfDuration('0 s')).toBe(0);
    expect(() => secondsOfDuration('none')).toThrow();
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('rgb(255, 255, 255)', '#1d4ed8')).toBeGreaterThan(4.5);
  });
});
