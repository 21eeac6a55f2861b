import type { Browser } from 'playwright-core';
import {
  embeddingPage,
  expectNoSeriousA11yViolations,
  launchBrowser,
  newTestPage,
  screenshot,
  startStaticSite,
  widgetScript,
  type StaticSite,
  until,
  type TestPage,
  Teardown,
} from '../support/browser.js';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { secondsOfDuration } from '../support/browser-widget.js';

// A new end user in the embedded widget: signs up, activates a time card's code (bought and paid
// through the API and a signed Stripe event, as `mindbot checkout complete` pays), sees the balance
// and the card's expiry; a wrong code and a used code show the API's own messages.

describe('an end user’s account in the widget', () => {
  let platform: BrowserPlatform;
  let site: StaticSite;
  let browser: Browser;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let tenant: string;

  beforeAll(async () => {
    site = teardown.add(await startStaticSite(), (s) => s.close());
    platform = teardown.add(await startBrowserPlatform(), (p) => p.stop());
    tenant = await platform.addTenant('acct', { displayName: 'Acme Voice', embedOrigins: [site.origin('shop.localhost')] });
    site.page('/', embeddingPage('Shop', [widgetScript(platform.tenantOrigin(tenant), { open: 'true' })]));
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  it('signs up, activates a code, and shows the balance with the card’s expiry; wrong and used codes show the API’s errors', async () => {
    tab = await newTestPage(browser);
    const { page } = tab;
    const email = `new-${Date.now()}@shop.example`;
    const password = 'a long browser password 42';
    await page.goto(`${site.origin('shop.localhost')}/`);
    // data-open="true": the panel is open on load.
    const panel = page.getByRole('dialog', { name: 'Acme Voice' });
    await panel.waitFor({ timeout: 20_000 });

    await panel.getByRole('button', { name: 'Create account' }).click();
    await panel.getByRole('textbox', { name: 'Email' }).fill(email);
    await panel.getByLabel('Password').fill(password);
    await screenshot(page, 'account-sign-up');
    await expectNoSeriousA11yViolations(page);
    await panel.getByRole('button', { name: 'Sign up' }).click();

    await panel.getByRole('heading', { name: 'Balance' }).waitFor({ timeout: 20_000 });
    const available = panel.getByLabel('Available time');
    expect(secondsOfDuration(await available.innerText())).toBe(0);
    await screenshot(page, 'account-signed-in-empty');
    await expectNoSeriousA11yViolations(page);

    // A wrong code: the API's message in an alert.
    await panel.getByRole('textbox', { name: 'Activation code' }).fill('ABCD-EFGH-JKMN');
    await panel.getByRole('button', { name: 'Activate' }).click();
    await panel.getByRole('alert').filter({ hasText: 'This activation code is not valid.' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'account-wrong-code');
    await expectNoSeriousA11yViolations(page);

    // The same user buys a card through the API (signed in there too) and pays it.
    const login = await platform.api(tenant, 'POST', '/v1/auth/password/login', { body: { email, password } });
    expect(login.status).toBe(200);
    const card = await platform.buyCard(tenant, String(login.body.access_token));

    await panel.getByRole('textbox', { name: 'Activation code' }).fill(card.code);
    await panel.getByRole('button', { name: 'Activate' }).click();
    await panel.getByRole('status').filter({ hasText: /./ }).first().waitFor({ timeout: 10_000 });
    // The balance shows the card's time, and the card its expiry, as the API says them.
    await until('the balance to show the card’s time', async () =>
      secondsOfDuration(await available.innerText()) === card.seconds ? true : undefined,
    );
    const balance = await platform.api(tenant, 'GET', '/v1/balance', { token: String(login.body.access_token) });
    const lots = balance.body.lots as { grantedSeconds: number; expiresAt: string }[];
    expect(lots).toHaveLength(1);
    const expires = new Date(lots[0]?.expiresAt ?? '');
    const cards = panel.getByRole('list', { name: 'Time cards' }).getByRole('listitem');
    expect(await cards.count()).toBe(1);
    const cardText = await cards.first().innerText();
    expect(cardText).toContain('Expires');
    expect(cardText).toContain(String(expires.getFullYear()));
    expect(cardText).toMatch(new RegExp(`\\b0?${expires.getDate()}\\b`));
    await screenshot(page, 'account-balance');
    await expectNoSeriousA11yViolations(page);

    // The same code again: used.
    await panel.getByRole('textbox', { name: 'Activation code' }).fill(card.code);
    await panel.getByRole('button', { name: 'Activate' }).click();
    await panel.getByRole('alert').filter({ hasText: 'This activation code has already been used.' }).waitFor({ timeout: 10_000 });
    await screenshot(page, 'account-used-code');
    expect(tab.pageErrors).toEqual([]);
  }, 120_000);
});
