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
import { availableSeconds, openPanel, signInPanel } from '../support/browser-widget.js';

// Two tenants' widgets on one page (a marketplace embedding two brands): each shows its own name,
// and what one knows (who is signed in, the balance) never shows in the other.

describe('two tenants’ widgets on one page', () => {
  let platform: BrowserPlatform;
  let site: StaticSite;
  let browser: Browser;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let alpha: string;
  let beta: string;

  beforeAll(async () => {
    site = teardown.add(await startStaticSite(), (s) => s.close());
    platform = teardown.add(await startBrowserPlatform(), (p) => p.stop());
    const origin = site.origin('market.localhost');
    alpha = await platform.addTenant('alpha', { displayName: 'Alpha Voice', primaryColor: '#1d4ed8', embedOrigins: [origin] });
    beta = await platform.addTenant('beta', { displayName: 'Beta Voice', primaryColor: '#9a1b3d', embedOrigins: [origin] });
    site.page(
      '/',
      embeddingPage('Market', [
        widgetScript(platform.tenantOrigin(alpha), { position: 'bottom-right' }),
        widgetScript(platform.tenantOrigin(beta), { position: 'bottom-left' }),
      ]),
    );
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  it('shows each tenant’s own name, and signing into one signs into neither the other nor its data', async () => {
    // A user of Alpha with time on a card; the same email and password at Beta is another account.
    const email = `both-${Date.now()}@market.example`;
    const password = 'a long browser password 42';
    const alphaToken = await platform.signUp(alpha, email, password);
    const card = await platform.buyCard(alpha, alphaToken);
    expect((await platform.api(alpha, 'POST', '/v1/time-cards/activate', { token: alphaToken, body: { code: card.code } })).status).toBe(
      201,
    );

    tab = await newTestPage(browser);
    const { page } = tab;
    await page.goto(`${site.origin('market.localhost')}/`);
    await page.getByRole('button', { name: 'Talk to Alpha Voice' }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Talk to Beta Voice' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('mindbot-widget').count()).toBe(2);
    await screenshot(page, 'two-tenants-launchers');
    await expectNoSeriousA11yViolations(page);

    const alphaPanel = await openPanel(page, 'Alpha Voice');
    await signInPanel(alphaPanel, email, password, true);
    expect(await availableSeconds(alphaPanel)).toBe(card.seconds);
    await screenshot(page, 'two-tenants-alpha-signed-in');

    // Beta: still signed out; no Beta panel shows Alpha's balance.
    const betaPanel = await openPanel(page, 'Beta Voice');
    await betaPanel.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
    expect(await betaPanel.getByRole('heading', { name: 'Balance' }).count()).toBe(0);
    await screenshot(page, 'two-tenants-beta-signed-out');
    await expectNoSeriousA11yViolations(page);

    // Signed into Beta as a new user there: Beta's own (empty) balance; Alpha's is unchanged.
    await signInPanel(betaPanel, email, password);
    expect(await availableSeconds(betaPanel)).toBe(0);
    const again = await openPanel(page, 'Alpha Voice');
    await again.getByRole('heading', { name: 'Balance' }).waitFor();
    expect(await availableSeconds(again)).toBe(card.seconds);
    await screenshot(page, 'two-tenants-both-signed-in');

    // Signing out of Beta leaves Alpha signed in.
    const betaAgain = await openPanel(page, 'Beta Voice');
    await betaAgain.getByRole('button', { name: 'Sign out' }).click();
    await betaAgain.getByRole('button', { name: 'Sign in' }).waitFor();
    const alphaStill = await openPanel(page, 'Alpha Voice');
    await alphaStill.getByRole('heading', { name: 'Balance' }).waitFor();
    expect(tab.pageErrors).toEqual([]);
  }, 150_000);
});
