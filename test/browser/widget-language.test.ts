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
  type TestPage,
  Teardown,
} from '../support/browser.js';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { secondsOfDuration } from '../support/browser-widget.js';

// The widget in German (`data-language="de"`): the launcher, the sign-in form and the signed-in
// home carry the names of web/widget/src/i18n/de.ts; and wrong activation codes, one after the
// other, are refused until billing's per-user limit (ACTIVATION_MAX_FAILURES, 5 by default, as
// `npm start` runs billing) answers 429, whose message the widget shows in its alert.

/** billing's ACTIVATION_MAX_FAILURES default (services/billing/src/config.ts), which npm start leaves unset. */
const MAX_WRONG_CODES = 5;

describe('the widget in German', () => {
  let platform: BrowserPlatform;
  let site: StaticSite;
  let browser: Browser;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let tenant: string;

  beforeAll(async () => {
    site = teardown.add(await startStaticSite(), (s) => s.close());
    platform = teardown.add(await startBrowserPlatform(), (p) => p.stop());
    tenant = await platform.addTenant('lang', { displayName: 'Acme Voice', embedOrigins: [site.origin('shop.localhost')] });
    site.page('/', embeddingPage('Shop', [widgetScript(platform.tenantOrigin(tenant), { language: 'de' })]));
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  it('names everything in German, and shows the API’s 429 after too many wrong activation codes', async () => {
    const email = `de-${Date.now()}@shop.example`;
    const password = 'ein langes Browser-Passwort 42';
    await platform.signUp(tenant, email, password);

    tab = await newTestPage(browser, { locale: 'de-DE' });
    const { page } = tab;
    await page.goto(`${site.origin('shop.localhost')}/`);

    const launcher = page.getByRole('button', { name: 'Mit Acme Voice sprechen' });
    await launcher.waitFor({ timeout: 20_000 });
    expect(await page.getByRole('button', { name: 'Talk to Acme Voice' }).count()).toBe(0);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await launcher.click();
    const panel = page.getByRole('dialog', { name: 'Acme Voice' });
    await panel.waitFor({ timeout: 20_000 });

    // Signed out, in German.
    await panel.getByRole('textbox', { name: 'E-Mail' }).waitFor({ timeout: 20_000 });
    expect(await panel.getByLabel('Passwort').count()).toBe(1);
    expect(await panel.getByRole('button', { name: 'Anmelden' }).isVisible()).toBe(true);
    expect(await panel.getByRole('button', { name: 'Konto erstellen' }).isVisible()).toBe(true);
    expect(await panel.getByRole('button', { name: 'Schließen' }).isVisible()).toBe(true);
    expect(await panel.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    await screenshot(page, 'language-de-signed-out');
    await expectNoSeriousA11yViolations(page);

    // Signed in, in German.
    await panel.getByRole('textbox', { name: 'E-Mail' }).fill(email);
    await panel.getByLabel('Passwort').fill(password);
    await panel.getByRole('button', { name: 'Anmelden' }).click();
    await panel.getByRole('heading', { name: 'Guthaben' }).waitFor({ timeout: 20_000 });
    const available = panel.getByLabel('Verfügbare Zeit');
    await available.waitFor({ timeout: 20_000 });
    expect(secondsOfDuration(await available.innerText())).toBe(0);
    expect(await panel.getByRole('button', { name: 'Abmelden' }).isVisible()).toBe(true);
    const codeField = panel.getByRole('textbox', { name: 'Aktivierungscode' });
    const activate = panel.getByRole('button', { name: 'Einlösen' });
    expect(await codeField.isVisible()).toBe(true);
    expect(await activate.isVisible()).toBe(true);
    expect(await panel.getByRole('button', { name: 'Anruf starten' }).isVisible()).toBe(true);
    expect(await panel.getByRole('heading', { name: 'Balance' }).count()).toBe(0);
    await screenshot(page, 'language-de-signed-in');
    await expectNoSeriousA11yViolations(page);

    // Wrong codes, one after the other: refused as not valid up to the limit, then 429.
    const alert = panel.getByRole('alert');
    for (let attempt = 1; attempt <= MAX_WRONG_CODES + 1; attempt++) {
      await codeField.fill(`WRONG-CODE-${attempt}`);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/v1/time-cards/activate') && r.request().method() === 'POST', {
          timeout: 20_000,
        }),
        activate.click(),
      ]);
      if (attempt <= MAX_WRONG_CODES) {
        expect(answer.status()).toBe(404);
        await alert.filter({ hasText: 'This activation code is not valid.' }).waitFor({ timeout: 10_000 });
      } else {
        expect(answer.status()).toBe(429);
        await alert.filter({ hasText: /^Too many wrong activation codes; retry after \d+ seconds\.$/ }).waitFor({ timeout: 10_000 });
      }
    }
    expect(await alert.filter({ hasText: 'This activation code is not valid.' }).count()).toBe(0);
    await screenshot(page, 'language-de-too-many-codes');
    await expectNoSeriousA11yViolations(page);
    expect(tab.pageErrors).toEqual([]);
  }, 180_000);
});
