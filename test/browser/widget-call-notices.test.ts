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

// A call from the embedded widget on a balance of one minute: billing answers the agent's
// heartbeats with `warn` once no more than METERING_WARN_SECONDS (120 s by default, as npm start
// runs billing) are left, so with 60 s the low-balance notice comes at once; when the minute is
// used up the agent cuts the call off (balance_exhausted). The widget shows the notice in an alert,
// then ends the call with the cut-off message and `Buy more time`, and the balance reads 0 s.
//
// Not covered here: the in-call checkout link (`mindbot.checkout` → `Open checkout`). The scripted
// language model answers what the user says (speech-to-text of the microphone), and Chromium's fake
// microphone sends no words that script could match to a start_purchase tool call.

const BALANCE_SECONDS = 60;

interface SessionRecord {
  status: string;
  chargedSeconds: number;
  endReason: string | null;
}

describe('a call that runs out of time in the embedded widget', () => {
  let platform: BrowserPlatform;
  let site: StaticSite;
  let browser: Browser;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let tenant: string;

  beforeAll(async () => {
    site = teardown.add(await startStaticSite(), (s) => s.close());
    platform = teardown.add(await startBrowserPlatform(), (p) => p.stop());
    tenant = await platform.addTenant('notice', {
      displayName: 'Acme Voice',
      greeting: 'Hello from the notices test tenant.',
      embedOrigins: [site.origin('shop.localhost')],
    });
    site.page('/', embeddingPage('Shop', [widgetScript(platform.tenantOrigin(tenant))]));
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  it('warns of the low balance, then cuts the call off at zero with Buy more time and a balance of 0 s', async () => {
    const email = `short-${Date.now()}@shop.example`;
    const password = 'a long browser password 42';
    const token = await platform.signUp(tenant, email, password);
    const packageId = await platform.addPackage(tenant, { name: 'One minute', baseSeconds: BALANCE_SECONDS });
    const card = await platform.buyCard(tenant, token, packageId);
    expect(card.seconds).toBe(BALANCE_SECONDS);
    expect((await platform.api(tenant, 'POST', '/v1/time-cards/activate', { token, body: { code: card.code } })).status).toBe(201);

    tab = await newTestPage(browser);
    const { page } = tab;
    await page.goto(`${site.origin('shop.localhost')}/`);
    const panel = await openPanel(page, 'Acme Voice');
    await signInPanel(panel, email, password, true);
    expect(await availableSeconds(panel)).toBe(BALANCE_SECONDS);

    await panel.getByRole('button', { name: 'Start call' }).click();
    await panel
      .getByRole('status')
      .filter({ hasText: /^Connected$/ })
      .waitFor({ timeout: 30_000 });
    const connectedAt = Date.now();
    const buyMore = panel.getByRole('button', { name: 'Buy more time' });
    expect(await buyMore.count()).toBe(0);

    // The low-balance notice, while the call runs.
    const lowBalance = panel.getByRole('alert').filter({ hasText: /talk time left/ });
    await lowBalance.waitFor({ timeout: 30_000 });
    expect(await panel.getByRole('button', { name: 'Hang up' }).isVisible()).toBe(true);
    await screenshot(page, 'call-low-balance');
    await expectNoSeriousA11yViolations(page);

    // The cut-off: the call ends with the message and Buy more time.
    const cutOff = panel.getByRole('alert').filter({ hasText: 'Your time has run out, so the call ended.' });
    await cutOff.waitFor({ timeout: 120_000 });
    const cutAt = Date.now();
    await buyMore.waitFor({ timeout: 10_000 });
    expect(await panel.getByRole('button', { name: 'Hang up' }).count()).toBe(0);
    // Not before the minute was used (the cut-off is billing's, not an early end).
    expect(cutAt - connectedAt).toBeGreaterThanOrEqual((BALANCE_SECONDS - 10) * 1000);

    const ended = await until(
      'the session settled',
      async () => {
        const sessions = (await platform.api(tenant, 'GET', '/v1/sessions', { token })).body.sessions as SessionRecord[] | undefined;
        const last = sessions?.[0];
        return last?.status === 'ended' ? last : undefined;
      },
      30_000,
    );
    expect(ended.endReason).toBe('balance_exhausted');
    expect(ended.chargedSeconds).toBe(BALANCE_SECONDS);
    expect((await platform.api(tenant, 'GET', '/v1/balance', { token })).body.availableSeconds).toBe(0);
    await until('the widget’s balance of 0 s', async () => ((await availableSeconds(panel)) === 0 ? true : undefined));
    expect(await panel.getByLabel('Available time').innerText()).toMatch(/^0\s*s$/);
    await screenshot(page, 'call-cut-off');
    await expectNoSeriousA11yViolations(page);
    expect(tab.pageErrors).toEqual([]);
  }, 300_000);
});
