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
import { openPanel, signInPanel } from '../support/browser-widget.js';

// Buying during a call: the user asks the agent for more time (the scripted speech-to-text hears it
// from Chromium's fake microphone a few seconds into the call), the agent's start_purchase tool
// opens a purchase in billing and sends its Checkout link to the room (CHECKOUT_TOPIC); the widget
// shows it as "Open checkout" beside the package's name, the link opens Checkout in a new tab, and
// paying there completes that purchase.

const PACKAGE = 'Top-up';
const ASKED = 'I would like to buy the Top-up package';

describe('a checkout link sent by the agent during a call', () => {
  let platform: BrowserPlatform;
  let site: StaticSite;
  let browser: Browser;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let tenant: string;

  beforeAll(async () => {
    site = teardown.add(await startStaticSite(), (s) => s.close());
    platform = teardown.add(
      await startBrowserPlatform({
        env: {
          // Heard well after the greeting, which is spoken whole: @livekit/agents drops words said over
          // speech that refuses interruption (a known gap, noted on issue 13), and a loaded machine
          // synthesises the greeting slowly.
          AGENT_STT: 'scripted',
          AGENT_STT_SCRIPT: JSON.stringify([{ startTime: 0, endTime: 1_000, sttDelay: 20_000, transcript: ASKED }]),
          AGENT_LLM_SCRIPT: JSON.stringify([{ input: ASKED, toolCalls: [{ name: 'start_purchase', args: { package: PACKAGE } }] }]),
        },
      }),
      (p) => p.stop(),
    );
    tenant = await platform.addTenant('incall', { displayName: 'Acme Voice', embedOrigins: [site.origin('shop.localhost')] });
    await platform.addPackage(tenant, { name: PACKAGE, baseSeconds: 1_800, priceCents: 499 });
    site.page('/', embeddingPage('Shop', [widgetScript(platform.tenantOrigin(tenant))]));
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  it('shows the agent’s Checkout link for the package asked for, and paying there completes that purchase', async () => {
    const email = `incall-${Date.now()}@shop.example`;
    const password = 'a long browser password 42';
    const token = await platform.signUp(tenant, email, password);
    const card = await platform.buyCard(tenant, token);
    expect((await platform.api(tenant, 'POST', '/v1/time-cards/activate', { token, body: { code: card.code } })).status).toBe(201);

    tab = await newTestPage(browser);
    const { page, context } = tab;
    await platform.serveLocalCheckout(context);
    await page.goto(`${site.origin('shop.localhost')}/`);
    const panel = await openPanel(page, 'Acme Voice');
    await signInPanel(panel, email, password, true);
    await panel.getByRole('button', { name: 'Start call' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: /^Connected$/ })
      .waitFor({ timeout: 30_000 });

    const link = panel.getByRole('link', { name: 'Open checkout' });
    await link.waitFor({ timeout: 75_000 }).catch(async (error: unknown) => {
      await screenshot(page, 'call-checkout-missing');
      const agent = platform
        .output()
        .split('\n')
        .filter((line) => /agent|job|purchase|tool|error/i.test(line))
        .slice(-30)
        .join('\n');
      throw new Error(`${String(error)}\nAgent:\n${agent}`);
    });
    // The user's words are in the transcript, and the link names the package it buys.
    await panel.getByRole('log', { name: 'Transcript' }).filter({ hasText: ASKED }).waitFor({ timeout: 10_000 });
    expect(await link.locator('xpath=..').innerText()).toContain(PACKAGE);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');

    // Billing has a pending purchase of that package for this user, and the link is its Checkout.
    const purchases = async () =>
      (await platform.api(tenant, 'GET', '/v1/purchases', { token })).body.purchases as {
        id: string;
        status: string;
        packageName: string;
        checkoutUrl: string | null;
      }[];
    const pending = (await purchases()).find((p) => p.packageName === PACKAGE);
    expect(pending?.status).toBe('pending');
    expect(pending?.checkoutUrl).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    expect(await link.getAttribute('href')).toBe(pending?.checkoutUrl);
    await screenshot(page, 'call-checkout-link');
    await expectNoSeriousA11yViolations(page);

    // The call goes on in this tab while Checkout opens in a new one.
    const [checkout] = await Promise.all([context.waitForEvent('page'), link.click()]);
    await checkout.waitForLoadState();
    expect(checkout.url()).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    await checkout.getByRole('button', { name: 'Pay' }).click();
    await until(
      'the purchase paid',
      async () => ((await purchases()).find((p) => p.id === pending?.id)?.status === 'paid' ? true : undefined),
      20_000,
    );
    expect(await panel.getByRole('button', { name: 'Hang up' }).isVisible()).toBe(true);

    await panel.getByRole('button', { name: 'Hang up' }).click();
    await panel.getByRole('button', { name: 'Start call' }).waitFor({ timeout: 15_000 });
    expect(tab.pageErrors).toEqual([]);
  }, 180_000);
});
