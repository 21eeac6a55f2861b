import type { Browser } from 'playwright-core';
import {
  embeddingPage,
  expectNoSeriousA11yViolations,
  launchBrowser,
  newTestPage,
  screenshot,
  startStaticSite,
  until,
  widgetScript,
  type StaticSite,
  type TestPage,
  Teardown,
} from '../support/browser.js';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { availableSeconds, openPanel, signInPanel } from '../support/browser-widget.js';

// A purchase from the embedded widget: Buy → the top page goes to Stripe Checkout (the URL billing
// got from Stripe; stripe-mock links to checkout.stripe.com without serving it, so the test serves a
// local Checkout page there whose Pay completes the purchase as Stripe would, with a signed
// checkout.session.completed to billing) → back on the customer's page, the widget shows the result.

describe('buying time from the embedded widget', () => {
  let platform: BrowserPlatform;
  let site: StaticSite;
  let browser: Browser;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let tenant: string;
  const shop = () => site.origin('shop.localhost');

  beforeAll(async () => {
    site = teardown.add(await startStaticSite(), (s) => s.close());
    platform = teardown.add(await startBrowserPlatform(), (p) => p.stop());
    tenant = await platform.addTenant('buy', { displayName: 'Acme Voice', embedOrigins: [shop()] });
    site.page('/', embeddingPage('Shop', [widgetScript(platform.tenantOrigin(tenant))]));
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  it('goes to Checkout and back to the page, paid (and cancelled), with the result shown', async () => {
    tab = await newTestPage(browser);
    const { page, context } = tab;
    await platform.serveLocalCheckout(context);
    const email = `buyer-${Date.now()}@shop.example`;
    const password = 'a long browser password 42';
    await page.goto(`${shop()}/`);
    let panel = await openPanel(page, 'Acme Voice');
    await signInPanel(panel, email, password);

    const login = await platform.api(tenant, 'POST', '/v1/auth/password/login', { body: { email, password } });
    const token = String(login.body.access_token);
    const packages = (await platform.api(tenant, 'GET', '/v1/packages', { token })).body.packages as {
      id: string;
      name: string;
      totalSeconds: number;
    }[];
    const first = packages[0];
    if (!first) throw new Error('the tenant sells no package');

    const list = panel.getByRole('list', { name: 'Packages' });
    await list.waitFor({ timeout: 10_000 });
    expect(await list.getByRole('listitem').count()).toBe(packages.length);
    await screenshot(page, 'purchase-packages');
    await expectNoSeriousA11yViolations(page);

    // Buy → Checkout (a top-level navigation, not a popup or a frame).
    await list.getByRole('button', { name: `Buy ${first.name}` }).click();
    await page.waitForURL(/^https:\/\/checkout\.stripe\.com\//, { timeout: 20_000 });
    await screenshot(page, 'purchase-checkout');
    const purchases = async () =>
      (await platform.api(tenant, 'GET', '/v1/purchases', { token })).body.purchases as { id: string; status: string }[];
    const [pending] = await purchases();
    expect(pending?.status).toBe('pending');

    await page.getByRole('button', { name: 'Pay' }).click();
    // Back on the customer's page, the widget open with the result.
    await page
      .waitForURL((url) => url.origin === shop(), { timeout: 20_000 })
      .catch(async (error: unknown) => {
        await screenshot(page, 'purchase-returned-elsewhere');
        throw new Error(`${String(error)}\nAfter Checkout the browser is at ${page.url()} (status page: ${await page.innerText('body')})`);
      });
    panel = page.getByRole('dialog', { name: 'Acme Voice' });
    await panel.getByRole('status').filter({ hasText: /\S/ }).first().waitFor({ timeout: 20_000 });
    await until('the purchase paid', async () =>
      (await purchases()).find((p) => p.id === pending?.id)?.status === 'paid' ? true : undefined,
    );
    // The paid card's time is in the balance (the widget activates the card it bought), as the API says.
    await until('the bought time in the widget’s balance', async () =>
      (await panel.getByLabel('Available time').isVisible()) && (await availableSeconds(panel)) === first.totalSeconds ? true : undefined,
    );
    expect((await platform.api(tenant, 'GET', '/v1/balance', { token })).body.availableSeconds).toBe(first.totalSeconds);
    await screenshot(page, 'purchase-returned-paid');
    await expectNoSeriousA11yViolations(page);
    const paidStatus = await panel.getByRole('status').filter({ hasText: /\S/ }).first().innerText();

    // Again, cancelled on the Checkout page: back on the page with another result, nothing paid.
    await panel
      .getByRole('list', { name: 'Packages' })
      .getByRole('button', { name: `Buy ${first.name}` })
      .click();
    await page.waitForURL(/^https:\/\/checkout\.stripe\.com\//, { timeout: 20_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL((url) => url.origin === shop(), { timeout: 20_000 });
    panel = page.getByRole('dialog', { name: 'Acme Voice' });
    const cancelled = panel.getByRole('status').filter({ hasText: /\S/ }).first();
    await cancelled.waitFor({ timeout: 20_000 });
    expect(await cancelled.innerText()).not.toBe(paidStatus);
    await screenshot(page, 'purchase-returned-cancelled');
    await expectNoSeriousA11yViolations(page);
    const after = await purchases();
    expect(after.filter((p) => p.status === 'paid')).toHaveLength(1);
    expect(tab.pageErrors).toEqual([]);
  }, 150_000);
});
