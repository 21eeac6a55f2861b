import { expectNoSeriousA11yViolations, screenshot, until } from '../support/browser.js';
import { mailedLink, signInToConsole, useConsoleWorld } from '../support/browser-console.js';

// A forgotten password in the console (issue 14): `Forgot your password?` asks SSO for a reset mail;
// its single-use link (`npm start` writes mail to its log without SMTP) opens the console's
// reset page, where the new password is typed twice; then it signs in, and the old one does not.

describe('resetting a forgotten password from the console', () => {
  const world = useConsoleWorld('cpwd', { displayName: 'Acme Voice', userName: 'olivia', role: 'admin' });

  it('mails a reset link whose page sets a new password the console then signs in with', async () => {
    const first = await world.newTab();
    await first.page.goto(`${world.origin}/console/sign-in`);
    await first.page.getByRole('button', { name: 'Forgot your password?' }).click();
    await first.page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor({ timeout: 30_000 });
    await first.page.getByRole('textbox', { name: 'Email' }).fill(world.user.email);
    await first.page.getByRole('button', { name: 'Send reset link' }).click();
    await first.page
      .getByRole('status')
      .filter({ hasText: `If ${world.user.email} has an account here, a reset link is on its way.` })
      .waitFor({
        timeout: 20_000,
      });

    const link = await until('the reset mail in the platform’s log', () =>
      mailedLink(world.platform.output(), world.user.email, 'reset-password'),
    );
    expect(new URL(link).origin).toBe(world.origin);
    const reset = await world.newTab();
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
    const old = await world.platform.api(world.tenant, 'POST', '/v1/auth/password/login', {
      body: { email: world.user.email, password: world.user.password },
    });
    expect(old.status).toBe(401);
    await reset.page.getByRole('link', { name: 'Sign in' }).click();
    await signInToConsole(reset.page, world.origin, { email: world.user.email, password: newPassword });
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
