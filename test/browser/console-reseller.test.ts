import { expectNoSeriousA11yViolations, screenshot } from '../support/browser.js';
import { consoleNav, loaded, openSection, signInToConsole, useConsoleWorld } from '../support/browser-console.js';

// The console of a reseller (issue 14), in Chromium against the whole platform as `npm start` runs
// it: a reseller tenant sells to two tenants (their manifests name it as parentReseller), another
// reseller to one more. The reseller's admin sees exactly its own two on the Resellers page, opens
// one's console with a single-use handoff, lands on that tenant's host signed in with the reseller
// role, and the reseller's audit log records it. Screenshots: test-results/screenshots/console-*.png.

describe('the console of a reseller', () => {
  // The world's tenant is the reseller, and its user the reseller's admin.
  const world = useConsoleWorld('rsel', { displayName: 'Northwind Resale', userName: 'rhea', role: 'admin' });
  let alphaDental: string;
  let othersChild: string;

  beforeAll(async () => {
    const { platform, tenant: reseller } = world;
    const other = await platform.addTenant('rsot', { displayName: 'Other Resale' });
    alphaDental = await platform.addTenant('kida', { displayName: 'Alpha Dental', parentReseller: reseller });
    await platform.addTenant('kidb', { displayName: 'Bravo Bakery', parentReseller: reseller });
    othersChild = await platform.addTenant('kidc', { displayName: 'Charlie Cars', parentReseller: other });
  }, 200_000);

  it('lists exactly the tenants it sells to, opens one’s console signed in there as reseller, and the audit log records it', async () => {
    const { platform, origin, user: admin } = world;
    const tab = await world.newTab();
    const { page } = tab;
    await signInToConsole(page, origin, admin);
    expect(await consoleNav(page).getByRole('link').allInnerTexts()).toContain('Resellers');

    await openSection(page, 'Resellers');
    await loaded(page);
    const table = page.getByRole('table', { name: 'Tenants you sell to' });
    await table.waitFor({ timeout: 30_000 });
    const names = await table.getByRole('rowheader').allInnerTexts();
    expect(names.map((name) => name.split('\n')[0]).sort()).toEqual(['Alpha Dental', 'Bravo Bakery']);
    expect(names.join(' ')).toContain(alphaDental);
    expect(names.join(' ')).not.toContain(othersChild);
    // No sessions yet in the last 30 days: zero minutes, and money in the child's currency.
    const alpha = table.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /Alpha Dental/ }) });
    expect(await alpha.innerText()).toMatch(/\$0\.00/);
    await screenshot(page, 'console-resellers');
    await expectNoSeriousA11yViolations(page);

    // Open console: the browser goes to the child's own host, redeems the code and is signed in there.
    const childOrigin = platform.tenantOrigin(alphaDental);
    // The link the API handed out, kept to try it a second time below.
    let consoleUrl = '';
    await page.route('**/v1/sso/reseller-handoff', async (route) => {
      // Node does not resolve *.localhost as the browser does: the same request to 127.0.0.1, with the tenant's Host.
      const sent = new URL(route.request().url());
      const direct = new URL(sent);
      direct.hostname = '127.0.0.1';
      const response = await route.fetch({ url: direct.toString(), headers: { ...route.request().headers(), host: sent.host } });
      consoleUrl = String(((await response.json()) as { consoleUrl?: unknown }).consoleUrl);
      await route.fulfill({ response });
    });
    await alpha.getByRole('button', { name: 'Open console of Alpha Dental' }).click();
    await page.waitForURL((url) => url.origin === childOrigin, { timeout: 30_000 });
    expect(new URL(consoleUrl).origin).toBe(childOrigin);
    await page.waitForURL((url) => url.origin === childOrigin && url.pathname === '/console/packages', { timeout: 30_000 });
    await page.getByRole('heading', { level: 1, name: 'Packages' }).waitFor({ timeout: 30_000 });
    // The single-use code is gone from the address bar.
    expect(new URL(page.url()).hash).toBe('');
    await expect(page.getByRole('banner').innerText()).resolves.toContain(admin.email);
    // A reseller's admin administers the child, but the child's resellers are not theirs to see.
    expect(await consoleNav(page).getByRole('link').allInnerTexts()).not.toContain('Resellers');

    await openSection(page, 'Users', 'Users & invitations');
    await loaded(page);
    const me = page.getByRole('row').filter({ hasText: admin.email });
    await me.waitFor({ timeout: 20_000 });
    expect(await me.innerText()).toContain('Reseller');

    // The same link again: the code was spent.
    await page.goto(consoleUrl);
    await page.getByRole('alert').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('alert').innerText()).toBe(
      'This link has expired or was already used. Open the console again from your reseller console.',
    );
    expect(new URL(page.url()).hash).toBe('');
    await page.getByRole('link', { name: 'Back to sign in' }).waitFor();

    // Back in the reseller's console: its audit log has the opening, by the admin, about the child.
    // The tab still holds the reseller's session there: a reload signs in again.
    await page.goto(`${origin}/console`);
    await consoleNav(page).waitFor({ timeout: 30_000 });
    await openSection(page, 'Audit log');
    await loaded(page);
    const opened = page.getByRole('row').filter({ hasText: 'reseller.console_opened' });
    await opened.first().waitFor({ timeout: 20_000 });
    expect(await opened.first().innerText()).toContain(alphaDental);
    expect(await opened.first().innerText()).toContain(admin.email);
    await screenshot(page, 'console-audit-log');
    await expectNoSeriousA11yViolations(page);

    // The action family filter keeps only reseller entries.
    await page.getByRole('textbox', { name: 'Action' }).fill('reseller.*');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await loaded(page);
    const table2 = page.getByRole('table', { name: 'Entries' });
    await table2.waitFor({ timeout: 20_000 });
    const actions = await table2.locator('tbody tr td:nth-child(3)').allInnerTexts();
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.every((action) => action.startsWith('reseller.'))).toBe(true);

    // Download CSV: the same filters, as a file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
  }, 240_000);
});
