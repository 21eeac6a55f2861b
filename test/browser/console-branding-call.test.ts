import { readFile } from 'node:fs/promises';
import { expectNoSeriousA11yViolations, parseRgb, screenshot, until } from '../support/browser.js';
import { consoleUser, loaded, openSection, signInToConsole, useConsoleWorld } from '../support/browser-console.js';
import { availableSeconds, signInPanel } from '../support/browser-widget.js';

// Branding from the console reaches the call (issue 14): the tenant's manifest leaves its brand
// colour and greeting to the console; an admin changes both, watches the widget preview follow each
// keystroke before saving, saves, and then a new end user's call on the tenant's hosted page (Chromium's
// fake microphone, livekit-server, the agent worker with eSpeak and the scripted model) is greeted
// in the new words, in a widget of the new colour. Then the admin reads that call and the purchase
// on the usage page and downloads the CSVs, whose totals are what the tenant's ledger holds.

const NEW_GREETING = 'Ahoy from Harbour Voice, how can we help?';
const NEW_COLOUR = '#7c3aed';

/** Rows of a CSV without quoted commas (the reports' CSVs have none: dates, numbers, currency codes). */
function csvRows(text: string): Record<string, string>[] {
  const [head = '', ...lines] = text.trim().split(/\r?\n/);
  const columns = head.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i] ?? String(i), value])));
}

const sumOf = (rows: Record<string, string>[], column: string) => rows.reduce((sum, row) => sum + Number(row[column] ?? 'NaN'), 0);

describe('branding changed in the console, a new call, and its figures on the usage page', () => {
  const world = useConsoleWorld('cbcl', {
    displayName: 'Harbour Voice',
    userName: 'olivia',
    role: 'admin',
    tenant: { leaveToConsole: ['primaryColor', 'greeting'] },
  });

  const publicBranding = async () => (await world.platform.api(world.tenant, 'GET', '/v1/branding')).body;

  it('shows the new colour and greeting in the preview, and a new end-user call is greeted with the new words', async () => {
    const before = await publicBranding();
    expect(before.greeting).not.toBe(NEW_GREETING);

    const adminTab = await world.newTab();
    const { page } = adminTab;
    await signInToConsole(page, world.origin, world.user);
    await openSection(page, 'Branding & persona');
    await loaded(page);

    const greeting = page.getByRole('textbox', { name: 'Greeting' });
    const colour = page.getByRole('textbox', { name: 'Brand colour', exact: true });
    // Left to the console by the manifest: editable, not marked as managed.
    expect(await greeting.getAttribute('readonly')).toBeNull();
    expect(await colour.getAttribute('readonly')).toBeNull();
    expect(await page.getByTestId('preview-greeting').innerText()).toBe(before.greeting);

    // The preview follows the unsaved values.
    const previewHead = page.getByTestId('widget-preview').locator('.preview-head');
    const [r, g, b] = parseRgb(NEW_COLOUR);
    await greeting.fill(NEW_GREETING);
    await colour.fill(NEW_COLOUR);
    await until('the preview’s greeting', async () =>
      (await page.getByTestId('preview-greeting').innerText()) === NEW_GREETING ? true : undefined,
    );
    await until('the preview in the new colour', async () =>
      (await previewHead.evaluate((e) => getComputedStyle(e).backgroundColor)) === `rgb(${r}, ${g}, ${b})` ? true : undefined,
    );
    // Not saved yet: the widget still has the old greeting.
    expect((await publicBranding()).greeting).toBe(before.greeting);
    await screenshot(page, 'console-branding-preview-changed');
    await expectNoSeriousA11yViolations(page);

    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: 20_000 });
    expect(await page.getByText('Set in the console').count()).toBeGreaterThanOrEqual(2);
    // What the widget reads, within seconds.
    await until(
      'the saved branding served to the widget',
      async () => {
        const now = await publicBranding();
        return now.greeting === NEW_GREETING && String(now.primaryColor).toLowerCase() === NEW_COLOUR ? true : undefined;
      },
      20_000,
    );

    // A new end user, with time to talk, on the tenant's hosted page.
    const caller = await consoleUser(world.platform, world.tenant, 'caller');
    const card = await world.platform.buyCard(world.tenant, caller.token);
    const activated = await world.platform.api(world.tenant, 'POST', '/v1/time-cards/activate', {
      token: caller.token,
      body: { code: card.code },
    });
    expect(activated.status).toBe(201);

    const userTab = await world.newTab();
    const widget = userTab.page.locator('body');
    await userTab.page.goto(`${world.origin}/`);
    await userTab.page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 20_000 });
    await signInPanel(widget, caller.email, caller.password, true);
    expect(await availableSeconds(widget)).toBe(card.seconds);
    // The widget is in the new colour.
    const colours = await userTab.page.evaluate(() => {
      const seen = new Set<string>();
      const visit = (root: Document | ShadowRoot) => {
        for (const el of Array.from(root.querySelectorAll('*'))) {
          seen.add(getComputedStyle(el).backgroundColor);
          if (el.shadowRoot) visit(el.shadowRoot);
        }
      };
      visit(document);
      return [...seen];
    });
    expect(colours).toContain(`rgb(${r}, ${g}, ${b})`);

    await widget.getByRole('button', { name: 'Start call' }).click();
    await widget
      .getByRole('status')
      .filter({ hasText: /^Connected$/ })
      .waitFor({ timeout: 45_000 });
    const transcript = widget.getByRole('log', { name: 'Transcript' });
    await transcript
      .filter({ hasText: NEW_GREETING })
      .waitFor({ timeout: 45_000 })
      .catch(async (error: unknown) => {
        await screenshot(userTab.page, 'console-branding-call-no-greeting');
        const shown = await transcript.innerText().catch(() => '(no transcript)');
        throw new Error(`${String(error)}\nTranscript shown: ${shown}`);
      });
    expect(await transcript.innerText()).not.toContain(String(before.greeting));
    await screenshot(userTab.page, 'console-branding-call-greeted');
    await expectNoSeriousA11yViolations(userTab.page);

    await widget.getByRole('button', { name: 'Hang up' }).click();
    await widget.getByRole('button', { name: 'Start call' }).waitFor({ timeout: 20_000 });
    const ended = await until('the call settled', async () => {
      const sessions = (await world.platform.api(world.tenant, 'GET', '/v1/sessions', { token: caller.token })).body.sessions as
        { status: string; chargedSeconds: number }[] | undefined;
      return sessions?.[0]?.status === 'ended' ? sessions[0] : undefined;
    });
    expect(ended.chargedSeconds).toBeGreaterThan(0);
    expect([...adminTab.pageErrors, ...userTab.pageErrors]).toEqual([]);
  }, 300_000);

  it('shows the call and the purchase in the usage charts, and the downloaded CSVs add up to the ledger', async () => {
    // What the tenant's ledger and purchases hold (everything this new tenant did happened today).
    const [ledger] = await world.platform.tenantDb(world.tenant).transaction(
      (tx) =>
        tx.$queryRaw<{ usageSeconds: number; sessions: number; purchases: number; grossCents: number }[]>`
          SELECT (SELECT COALESCE(-sum(seconds), 0)::int FROM ledger_entries WHERE kind = 'usage') AS "usageSeconds",
                 (SELECT count(*)::int FROM voice_sessions) AS sessions,
                 (SELECT count(*)::int FROM purchases WHERE paid_at IS NOT NULL) AS purchases,
                 (SELECT COALESCE(sum(amount_cents), 0)::int FROM purchases WHERE paid_at IS NOT NULL) AS "grossCents"`,
    );
    if (!ledger) throw new Error('no ledger totals');
    expect(ledger.usageSeconds).toBeGreaterThan(0);
    expect(ledger.purchases).toBeGreaterThan(0);

    const tab = await world.newTab();
    const { page } = tab;
    await signInToConsole(page, world.origin, world.user);
    await openSection(page, 'Usage & revenue');
    await loaded(page);

    // The charts' accessible summaries say the totals.
    const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
    const chart = (title: string, total: string) =>
      page.getByRole('img', { name: new RegExp(`^${title}: ${total.replace(/[$.]/g, '\\$&')} in total`) });
    await chart('Minutes by day', oneDecimal.format(Math.round(ledger.usageSeconds / 6) / 10)).waitFor({ timeout: 20_000 });
    await chart('Sessions by day', String(ledger.sessions)).waitFor();
    await chart('Purchases by day', String(ledger.purchases)).waitFor();
    await chart('Revenue by day', `$${(ledger.grossCents / 100).toFixed(2)}`).waitFor();
    await screenshot(page, 'console-usage-after-call');
    await expectNoSeriousA11yViolations(page);

    const downloaded = async (what: string) => {
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: `Download ${what} CSV` }).click();
      const file = await (await download).path();
      return csvRows(await readFile(file, 'utf8'));
    };
    const usage = await downloaded('usage');
    expect(sumOf(usage, 'usageSeconds')).toBe(ledger.usageSeconds);
    expect(sumOf(usage, 'sessions')).toBe(ledger.sessions);
    expect(sumOf(usage, 'purchasesPaid')).toBe(ledger.purchases);
    const revenue = await downloaded('revenue');
    expect(sumOf(revenue, 'grossCents')).toBe(ledger.grossCents);
    expect(revenue.map((row) => row.currency)).toEqual(revenue.map(() => 'usd'));
    // Per user, the same seconds and revenue in all.
    const perUser = await downloaded('per-user');
    expect(sumOf(perUser, 'seconds')).toBe(ledger.usageSeconds);
    expect(sumOf(perUser, 'revenueCents')).toBe(ledger.grossCents);
    expect(tab.pageErrors).toEqual([]);
  }, 180_000);
});
