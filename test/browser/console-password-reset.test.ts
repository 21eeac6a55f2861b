import type { Browser } from 'playwright-core';
import {
  expectNoSeriousA11yViolations,
  launchBrowser,
  newTestPage,
  screenshot,
  type TestPage,
  Teardown,
  until,
} from '../support/browser.js';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { consoleUser, mailedLink, signInToConsole, type ConsoleUser } from '../support/browser-console.js';

// A forgotten password in the console (issue 14): `Forgot your password?` asks SSO for a reset mail;
// its single-use link (`npm start` writes mail to its log without SMTP) opens the console's
// reset page, where the new password is typed twice; then it signs in, and the old one does not.

describe('resetting a forgotten password from the console', () => {
  let platform: BrowserPlatform;
  let browser: Browser;
  const teardown = new Teardown();
  const tabs: TestPage[] = [];
  let tenant: string;
  let origin: string;
  let admin: ConsoleUser;

  beforeAll(async () => {
    platform = teardown.add(await startBrowserPlatform(), (p) => p.stop());
    tenant = await platform.addTenant('cpwd', { displayName: 'Acme Voice' });
    origin = platform.tenantOrigin(tenant);
    admin = await consoleUser(platform, tenant, 'olivia', 'admin');
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterAll(async () => {
    for (const tab of tabs) await tab.context.close();
    await teardown.run();
  }, 90_000);

  it('mails a reset link whose page sets a new password the console then signs in with', async () => {
    const first = await newTestPage(browser);
    tabs.push(first);
    await first.page.goto(`${origin}/console/sign-in`);
    await first.page.getByRole('button', { name: 'Forgot your password?' }).click();
    await first.page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor({ timeout: 30_000 });
    await first.page.getByRole('textbox', { name: 'Email' }).fill(admin.email);
    await first.page.getByRole('button', { name: 'Send reset link' }).click();
    await first.page
      .getByRole('status')
      .filter({ hasText: `If ${admin.email} has an account here, a reset link is on its way.` })
      .waitFor({
        timeout: 20_000,
      });

    const link = await until('the reset mail in the platform’s log', () => mailedLink(platform.output(), admin.email, 'reset-password'));
    expect(new URL(link).origin).toBe(origin);
    const reset = await newTestPage(browser);
    tabs.push(reset);
    await reset.page.goto(link);
    await reset.page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor({ timeout: 30_000 });
    await screenshot(reset.page, 'console-reset-password');
    await expectNoSeriousA11yViolations(reset.page);

    // Typed twice: a difference is caught on the field, before anything is sent.
    const newPassword = 'seven purple kites over the harbour';
    await reset.page.getByLabel('New password', { exact: true }).fill(newPassword);
    await reset.page.getByLabel('Repeat the new password').fill(`${newPassword}!`);
    await reset.page.getByRole('button', { name: 'Set new password' }).click();
    await reset.page.getByText('The passwords differ.').waitFor({ timeout: 10_000 });
    await reset.page.getByLabel('Repeat the new password').fill(newPassword);
    await reset.page.getByRole('button', { name: 'Set new password' }).click();
    await reset.page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor({ timeout: 20_000 });

    // The old password no longer signs in; the new one does.
    const old = await platform.api(tenant, 'POST', '/v1/auth/password/login', { body: { email: admin.email, password: admin.password } });
    expect(old.status).toBe(401);
    await reset.page.getByRole('link', { name: 'Sign in' }).click();
    await signInToConsole(reset.page, origin, { email: admin.email, password: newPassword });
    await reset.page.getByRole('heading', { level: 1, name: 'Packages' }).waitFor({ timeout: 30_000 });

    // The link works once.
    await reset.page.goto(link);
    await reset.page.getByLabel('New password', { exact: true }).fill('another long password 77 here');
    await reset.page.getByLabel('Repeat the new password').fill('another long password 77 here');
    await reset.page.getByRole('button', { name: 'Set new password' }).click();
    await reset.page.getByRole('alert').filter({ hasText: 'The reset token is invalid or expired.' }).waitFor({ timeout: 20_000 });
    expect([...first.pageErrors, ...reset.pageErrors]).toEqual([]);
  }, 150_000);
});
