import type { Browser } from 'playwright-core';
import {
  contrastRatio,
  embeddingPage,
  expectNoSeriousA11yViolations,
  launchBrowser,
  newTestPage,
  parseRgb,
  screenshot,
  startStaticSite,
  until,
  widgetScript,
  type StaticSite,
  type TestPage,
  Teardown,
} from '../support/browser.js';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';

// The widget embedded with one script tag on a customer's website (another origin than the
// tenant's): the launcher in the tenant's name and colour, untouched by the page's own CSS; a site
// the tenant has not allowed gets no launcher and one clear console error (the widget contract).

describe('the widget embedded on another website', () => {
  let platform: BrowserPlatform;
  let site: StaticSite;
  let browser: Browser;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let acme: string;
  let pale: string;
  const shop = () => site.origin('shop.localhost');
  const elsewhere = () => site.origin('elsewhere.localhost');

  beforeAll(async () => {
    site = teardown.add(await startStaticSite(), (s) => s.close());
    platform = teardown.add(await startBrowserPlatform(), (p) => p.stop());
    // A colour with enough contrast against white text, and one without (the widget corrects it).
    acme = await platform.addTenant('acme', { displayName: 'Acme Voice', primaryColor: '#1d4ed8', embedOrigins: [shop()] });
    pale = await platform.addTenant('pale', { displayName: 'Pale Co', primaryColor: '#ffe082', embedOrigins: [shop()] });
    site.page('/', embeddingPage('Shop', [widgetScript(platform.tenantOrigin(acme))]));
    site.page('/pale', embeddingPage('Shop', [widgetScript(platform.tenantOrigin(pale))]));
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  /** The launcher's background and text colours as rendered. */
  const launcherColours = async (t: TestPage, name: string) =>
    t.page.getByRole('button', { name }).evaluate((el) => {
      const style = getComputedStyle(el);
      return { background: style.backgroundColor, color: style.color };
    });

  it('shows the tenant’s launcher in its name and colour, untouched by the page’s CSS, and opens and closes the panel by keyboard', async () => {
    tab = await newTestPage(browser);
    const { page } = tab;
    await page.goto(`${shop()}/`);
    const launcher = page.getByRole('button', { name: 'Talk to Acme Voice' });
    await launcher.waitFor({ timeout: 20_000 });
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    // The branding colour has enough contrast with the launcher's text, so it is used as it is; the
    // page's `button { background: #ff0 !important }` does not reach into the widget's shadow root.
    const colours = await launcherColours(tab, 'Talk to Acme Voice');
    expect(parseRgb(colours.background)).toEqual(parseRgb('#1d4ed8'));
    expect(contrastRatio(colours.background, colours.color)).toBeGreaterThanOrEqual(4.5);
    await screenshot(page, 'embed-launcher');
    await expectNoSeriousA11yViolations(page);

    await launcher.focus();
    await page.keyboard.press('Enter');
    const panel = page.getByRole('dialog', { name: 'Acme Voice' });
    await panel.waitFor();
    // The widget hides its launcher while the panel is open (still in the DOM, aria-expanded true).
    const launcherWhileOpen = page.getByRole('button', { name: 'Talk to Acme Voice', includeHidden: true });
    expect(await launcherWhileOpen.getAttribute('aria-expanded')).toBe('true');
    // Focus moved into the panel (the widget lives in a shadow root: its activeElement, not the document's).
    const focusInPanel = await panel.evaluate((el) => {
      const root = el.getRootNode();
      const active = root instanceof ShadowRoot ? root.activeElement : document.activeElement;
      return active !== null && el.contains(active);
    });
    expect(focusInPanel).toBe(true);
    // Signed out, it offers sign-in.
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'embed-panel-signed-out');
    await expectNoSeriousA11yViolations(page);

    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    // Focus is back on the launcher.
    expect(await launcher.evaluate((el) => (el.getRootNode() as ShadowRoot | Document).activeElement === el)).toBe(true);
    expect(tab.pageErrors).toEqual([]);
  }, 60_000);

  it('corrects a branding colour too pale for its text to WCAG AA contrast', async () => {
    tab = await newTestPage(browser);
    await tab.page.goto(`${shop()}/pale`);
    await tab.page.getByRole('button', { name: 'Talk to Pale Co' }).waitFor({ timeout: 20_000 });
    const colours = await launcherColours(tab, 'Talk to Pale Co');
    // Whatever text colour the widget picks, the pair it renders meets AA; it changes the tenant's
    // colour only when that colour with that text would not.
    if (colours.background !== 'rgb(255, 224, 130)') expect(contrastRatio('#ffe082', colours.color)).toBeLessThan(4.5);
    expect(contrastRatio(colours.background, colours.color)).toBeGreaterThanOrEqual(4.5);
    await screenshot(tab.page, 'embed-launcher-contrast-corrected');
    await expectNoSeriousA11yViolations(tab.page);
  }, 60_000);

  it('shows no launcher on a site the tenant has not allowed, and says why in the console', async () => {
    tab = await newTestPage(browser);
    const { page } = tab;
    await page.goto(`${elsewhere()}/`);
    const refusal = await until(
      'the widget’s console error',
      () => tab?.console.find((line) => line.startsWith('error: MindBot widget:')),
      20_000,
    );
    const tenantHost = new URL(platform.tenantOrigin(acme)).host;
    expect(refusal).toBe(
      `error: MindBot widget: this site (${elsewhere()}) is not allowed to embed ${tenantHost}; add it to the tenant's allowed origins`,
    );
    expect(await page.getByRole('button', { name: /Talk to/ }).count()).toBe(0);
    await screenshot(page, 'embed-refused');
    await expectNoSeriousA11yViolations(page);
  }, 60_000);
});
