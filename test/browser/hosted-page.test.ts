import type { Browser } from 'playwright-core';
import {
  expectNoSeriousA11yViolations,
  launchBrowser,
  newTestPage,
  parseRgb,
  screenshot,
  Teardown,
  type TestPage,
} from '../support/browser.js';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { signInPanel } from '../support/browser-widget.js';

// The tenant's hosted page, `http://<tenant host>/`: the widget opened in place (no launcher) in the
// tenant's name, colours and favicon, and nothing of the platform's brand on a plan that does not
// show it.

describe('the tenant’s hosted page', () => {
  let platform: BrowserPlatform;
  let browser: Browser;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let tenant: string;
  const PRIMARY = '#1d4ed8';

  beforeAll(async () => {
    platform = teardown.add(await startBrowserPlatform(), (p) => p.stop());
    tenant = await platform.addTenant('hosted', { displayName: 'Acme Voice', primaryColor: PRIMARY });
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  it('shows the widget inline in the tenant’s name, colours and favicon, and signs in there', async () => {
    const branding = await platform.api(tenant, 'GET', '/v1/branding');
    expect(branding.status).toBe(200);
    tab = await newTestPage(browser);
    const { page } = tab;
    const response = await page.goto(`${platform.tenantOrigin(tenant)}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toEqual(expect.any(String));

    expect(await page.title()).toContain('Acme Voice');
    // The favicon is the tenant's logo.
    const icon = await page.locator('link[rel~="icon"]').getAttribute('href');
    expect(icon).toBe(branding.body.logoUrl);
    // Inline: the app is open in place, no launcher; signed out, it offers sign-in.
    await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('button', { name: /^Talk to / }).count()).toBe(0);
    await page.getByText('Acme Voice').first().waitFor();
    // The tenant's colour is on the page (as given: it has AA contrast with white).
    const colours = await page.evaluate(() => {
      const seen = new Set<string>();
      const visit = (root: Document | ShadowRoot) => {
        for (const el of Array.from(root.querySelectorAll('*'))) {
          const style = getComputedStyle(el);
          seen.add(style.backgroundColor);
          seen.add(style.color);
          if (el.shadowRoot) visit(el.shadowRoot);
        }
      };
      visit(document);
      return [...seen];
    });
    const [r, g, b] = parseRgb(PRIMARY);
    expect(colours).toContain(`rgb(${r}, ${g}, ${b})`);
    // No platform brand on this plan: not in the title nor in any text a visitor reads (the page's or the widget's shadow root's).
    const visibleText = await page.evaluate(() => {
      const texts = [document.title, document.body.innerText];
      for (const el of Array.from(document.querySelectorAll('*'))) if (el.shadowRoot) texts.push(el.shadowRoot.textContent);
      return texts.join('\n');
    });
    expect(visibleText).toContain('Acme Voice');
    expect(visibleText).not.toMatch(/MindBot/i);
    await screenshot(page, 'hosted-page-signed-out');
    await expectNoSeriousA11yViolations(page);

    const email = `hosted-${Date.now()}@acme.example`;
    const password = 'a long browser password 42';
    await signInPanel(page.locator('body'), email, password);
    await screenshot(page, 'hosted-page-signed-in');
    await expectNoSeriousA11yViolations(page);
    expect(tab.pageErrors).toEqual([]);
  }, 90_000);
});
