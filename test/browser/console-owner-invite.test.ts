import { SsoServiceClient } from '@mindbot/sso-client';
import { inviteOwners } from '../../operator/src/controllers/tenant/owners.js';
import { expectNoSeriousA11yViolations, screenshot } from '../support/browser.js';
import { consoleNav, useConsoleWorld } from '../support/browser-console.js';

// The first admin of a tenant (issue 14): the Tenant names its owner in `spec.owners`; provisioning
// invites them, here by the operator's own owners step (operator/src/controllers/tenant/owners.ts)
// calling SSO's internal owners-invite route, without Kubernetes; SSO mails the invitation through
// a real SMTP server on loopback; the owner opens the link from the delivered mail, chooses a
// password and is signed in to the console as an admin of the tenant.

const OWNER = `owen.${Date.now()}@harbour.example`;

describe('a Tenant’s owner invited by provisioning (the operator’s owners step against SSO, no Kubernetes)', () => {
  const world = useConsoleWorld('cown', {
    displayName: 'Harbour Voice',
    userName: 'nobody',
    tenant: { owners: [OWNER] },
    mail: true,
  });

  it('mails the owner a single-use link that makes them an admin of the tenant in the console', async () => {
    const mail = world.mail;
    const manifest = world.platform.manifest(world.tenant);
    if (!mail || !manifest) throw new Error('the world has no mail or no manifest');
    expect(manifest.spec.owners).toEqual([OWNER]);
    const step = { sso: new SsoServiceClient(mail.ssoUrl, mail.serviceToken), retryMs: 1_000 };

    const verdict = await inviteOwners(step, manifest, undefined, 1);
    expect(verdict.condition).toMatchObject({ type: 'OwnersInvited', status: 'True', reason: 'Invited' });
    expect(verdict.condition.message).toContain(`invited now: ${OWNER}`);

    const delivered = await mail.smtp.waitFor(OWNER, undefined, 30_000);
    expect(delivered.subject).toContain('Harbour Voice');
    const link = /https?:\/\/\S+\/console\/accept-invite\?token=[A-Za-z0-9_%.~-]+/.exec(delivered.text)?.[0];
    if (!link) throw new Error(`no invitation link in the mail:\n${delivered.text}`);
    expect(new URL(link).origin).toBe(world.origin);

    // A later reconcile of the same Tenant invites nobody twice (the invitation is pending).
    const again = await inviteOwners(step, manifest, undefined, 2);
    expect(again.condition.message).toContain(`already owners or invited: ${OWNER}`);
    expect(mail.smtp.messages.filter((m) => m.to.includes(OWNER.toLowerCase()))).toHaveLength(1);

    const owner = await world.newTab();
    const { page } = owner;
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Join Harbour Voice' }).waitFor({ timeout: 30_000 });
    await page.getByText(`You were invited as ${OWNER}`, { exact: false }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'console-owner-invited');
    await expectNoSeriousA11yViolations(page);
    await page.getByLabel('Choose a password').fill('harbour lights at dusk 71');
    await page.getByRole('button', { name: 'Accept invitation' }).click();

    // Signed in, with the admin pages.
    await page.getByRole('heading', { level: 1, name: 'Packages' }).waitFor({ timeout: 30_000 });
    expect(await consoleNav(page).getByRole('link').allInnerTexts()).toEqual(expect.arrayContaining(['Users', 'Branding & persona']));
    expect(await page.getByText(`Signed in as ${OWNER}`).count()).toBe(1);

    // The API agrees: the owner signs in with that password and may make admin calls.
    const login = await world.platform.api(world.tenant, 'POST', '/v1/auth/password/login', {
      body: { email: OWNER, password: 'harbour lights at dusk 71' },
    });
    expect(login.status).toBe(200);
    const token = String(login.body.access_token);
    expect((await world.platform.api(world.tenant, 'GET', '/v1/admin/branding', { token })).status).toBe(200);
    const users = await world.platform.api(world.tenant, 'GET', `/v1/users?q=${encodeURIComponent(OWNER)}`, { token });
    expect(users.body.users).toEqual([expect.objectContaining({ email: OWNER, roles: expect.arrayContaining(['owner']) })]);

    // The link works once.
    const later = await world.newTab();
    await later.page.goto(link);
    await later.page
      .getByRole('alert')
      .filter({ hasText: 'This invitation link is invalid, used, expired or revoked.' })
      .waitFor({ timeout: 30_000 });
    expect([...owner.pageErrors, ...later.pageErrors]).toEqual([]);
  }, 180_000);
});
