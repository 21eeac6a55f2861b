import { expectNoSeriousA11yViolations, screenshot } from '../support/browser.js';
import { consoleNav, signInToConsole, useConsoleWorld } from '../support/browser-console.js';

// The console (issue 14) for a member of the tenant who is not an admin: signed in, the console
// shows only their own account and says they have no admin access; an admin page's address leads
// back there; and the API itself refuses their admin calls, whatever the console shows.

describe('the console for a member without an admin role', () => {
  const world = useConsoleWorld('cmem', { displayName: 'Acme Voice', userName: 'max' });

  it('sees only their own account page, no admin page, and the API refuses their admin calls (403)', async () => {
    const { platform, tenant, origin, user: member } = world;
    const tab = await world.newTab();
    const { page } = tab;
    await signInToConsole(page, origin, member);
    await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/console/account');
    expect(await consoleNav(page).getByRole('link').allInnerTexts()).toEqual(['My account']);
    await page.getByText('You have no admin access to this console. An owner or admin of Acme Voice can give you a role.').waitFor();
    expect(await page.locator('main').innerText()).toContain(member.email);
    await screenshot(page, 'console-member');
    await expectNoSeriousA11yViolations(page);

    // An admin page's address leads back to the account page.
    for (const path of ['packages', 'api-keys', 'users', 'usage']) {
      await page.goto(`${origin}/console/${path}`);
      await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor({ timeout: 30_000 });
      expect(new URL(page.url()).pathname).toBe('/console/account');
    }

    // The server enforces it: every admin call the console would make is refused.
    const today = new Date().toISOString().slice(0, 10);
    const calls: [string, string, unknown?][] = [
      ['GET', '/v1/admin/packages'],
      ['POST', '/v1/admin/packages', { name: 'Mine', priceCents: 500, currency: 'usd', baseSeconds: 600 }],
      ['GET', '/v1/admin/billing'],
      ['POST', '/v1/api-keys', { name: 'Mine', permissions: ['voice:sessions'] }],
      ['GET', `/v1/admin/reports?from=${today}&to=${today}`],
      ['GET', '/v1/sso/connections'],
    ];
    for (const [method, path, body] of calls) {
      const answer = await platform.api(tenant, method, path, { token: member.token, ...(body === undefined ? {} : { body }) });
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 403 });
    }

    // Sign out: back to the sign-in page, and a reload does not sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in to Acme Voice' }).waitFor({ timeout: 30_000 });
    await page.goto(`${origin}/console/account`);
    await page.getByRole('heading', { level: 1, name: 'Sign in to Acme Voice' }).waitFor({ timeout: 30_000 });
    expect(tab.pageErrors).toEqual([]);
  }, 120_000);
});
