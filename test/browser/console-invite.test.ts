import { expectNoSeriousA11yViolations, screenshot, until } from '../support/browser.js';
import { consoleNav, mailedLink, loaded, openSection, signInToConsole, useConsoleWorld } from '../support/browser-console.js';

// Invitations in the console (issue 14): an admin invites someone by email as an admin; the mailed
// single-use link (`npm start` writes mail to its log without SMTP) opens the console's accept page,
// where the invited person sets a password and is signed in with the invited role.

describe('inviting an admin from the console', () => {
  const world = useConsoleWorld('cinv', { displayName: 'Acme Voice', userName: 'olivia', role: 'admin' });

  it('sends an invitation whose link signs the invited person in as an admin, once', async () => {
    const adminTab = await world.newTab();
    await signInToConsole(adminTab.page, world.origin, world.user);
    await openSection(adminTab.page, 'Users', 'Users & invitations');
    await loaded(adminTab.page);

    const email = `nora.${Date.now()}@acme.example`;
    const form = adminTab.page.getByRole('region', { name: 'Invite someone' });
    await form.getByRole('textbox', { name: 'Email' }).fill(email);
    await form.getByRole('checkbox', { name: 'Admin' }).check();
    await form.getByRole('checkbox', { name: 'Member' }).uncheck();
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await adminTab.page
      .getByRole('status')
      .filter({ hasText: `Invitation sent to ${email}.` })
      .waitFor({ timeout: 20_000 });
    const pending = adminTab.page.getByRole('region', { name: 'Pending invitations' });
    await pending.getByRole('rowheader', { name: email }).waitFor({ timeout: 20_000 });
    await screenshot(adminTab.page, 'console-users-invited');
    await expectNoSeriousA11yViolations(adminTab.page);

    const link = await until('the invitation mail in the platform’s log', () =>
      mailedLink(world.platform.output(), email, 'accept-invite'),
    );
    expect(new URL(link).origin).toBe(world.origin);

    const invitee = await world.newTab();
    await invitee.page.goto(link);
    await invitee.page.getByRole('heading', { level: 1, name: 'Join Acme Voice' }).waitFor({ timeout: 30_000 });
    // The invitation's details come with the preview, which may answer after the heading shows.
    await invitee.page.getByText(`You were invited as ${email} (Admin).`, { exact: false }).waitFor({ timeout: 30_000 });
    await screenshot(invitee.page, 'console-accept-invite');
    await expectNoSeriousA11yViolations(invitee.page);

    // A weak password is refused with the policy's reasons, on the field.
    await invitee.page.getByRole('textbox', { name: 'Your name (optional)' }).fill('Nora Admin');
    await invitee.page.getByLabel('Choose a password').fill('short');
    await invitee.page.getByRole('button', { name: 'Accept invitation' }).click();
    await invitee.page.getByRole('alert').waitFor({ timeout: 20_000 });

    await invitee.page.getByLabel('Choose a password').fill('quiet meadow orange lamp 93');
    await invitee.page.getByRole('button', { name: 'Accept invitation' }).click();
    await invitee.page.getByRole('heading', { level: 1, name: 'Packages' }).waitFor({ timeout: 30_000 });
    expect(await consoleNav(invitee.page).getByRole('link').allInnerTexts()).toContain('Users');
    expect(await invitee.page.getByText(`Signed in as ${email}`).count()).toBe(1);

    // The API has the new user with the invited role, and the invitation is no longer pending.
    const users = await world.platform.api(world.tenant, 'GET', `/v1/users?q=${encodeURIComponent(email)}`, { token: world.user.token });
    expect(users.body.users).toEqual([expect.objectContaining({ email, displayName: 'Nora Admin', roles: ['admin'] })]);
    await adminTab.page.reload();
    await adminTab.page.getByRole('heading', { level: 1, name: 'Users & invitations' }).waitFor({ timeout: 30_000 });
    await loaded(adminTab.page);
    expect(await pending.getByRole('rowheader', { name: email }).count()).toBe(0);

    // The link works once.
    const again = await world.newTab();
    await again.page.goto(link);
    await again.page
      .getByRole('alert')
      .filter({ hasText: 'This invitation link is invalid, used, expired or revoked.' })
      .waitFor({ timeout: 30_000 });
    expect([...adminTab.pageErrors, ...invitee.pageErrors, ...again.pageErrors]).toEqual([]);
  }, 180_000);
});
