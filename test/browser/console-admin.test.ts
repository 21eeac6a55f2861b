import { expectNoSeriousA11yViolations, screenshot } from '../support/browser.js';
import { consoleNav, consoleUser, loaded, openSection, signInToConsole, useConsoleWorld } from '../support/browser-console.js';

// The console (issue 14) for a tenant admin, in Chromium against the whole platform as `npm start`
// runs it: an admin (granted the role as `mindbot user role` does) signs in with a password at
// /console on the tenant's host, manages packages and API keys, and reads the other admin pages.
// Every page is screenshotted (test-results/screenshots/console-*.png) and checked with axe-core.

describe('the console for a tenant admin', () => {
  const world = useConsoleWorld('cadm', {
    displayName: 'Acme Voice',
    userName: 'olivia',
    role: 'admin',
    tenant: { primaryColor: '#0f766e' },
  });

  const adminPackages = async () =>
    (await world.platform.api(world.tenant, 'GET', '/v1/admin/packages', { token: world.user.token })).body.packages as {
      name: string;
      priceCents: number;
      currency: string;
      baseSeconds: number;
      bonusSeconds: number;
      active: boolean;
    }[];

  it('signs in with a password, creates a package the list and the API show in the tenant’s currency, edits and withdraws it', async () => {
    const { platform, tenant, origin, user: admin } = world;
    const tab = await world.newTab();
    const { page } = tab;
    await page.goto(`${origin}/console/packages`);
    // Signed out, any console page leads to the sign-in page, in the tenant's name.
    await page.getByRole('heading', { level: 1, name: 'Sign in to Acme Voice' }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(await page.title()).toBe('Acme Voice Console');
    await screenshot(page, 'console-sign-in');
    await expectNoSeriousA11yViolations(page);

    // A wrong password is refused in the API's words, in an alert.
    await page.getByRole('textbox', { name: 'Email' }).fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor({ timeout: 20_000 });
    expect(await page.getByRole('alert').innerText()).toMatch(/401/);

    await signInToConsole(page, origin, admin);
    await page.getByRole('heading', { level: 1, name: 'Packages' }).waitFor({ timeout: 30_000 });
    expect(await consoleNav(page).getByRole('link').allInnerTexts()).toEqual([
      'Packages',
      'API keys',
      'Users',
      'Branding & persona',
      'Usage & revenue',
      'Identity providers',
      'Webhooks',
      'Audit log',
      'Resellers',
      'My account',
    ]);
    await page.getByText('Sales are open: your Stripe account takes payments.').waitFor({ timeout: 20_000 });
    await loaded(page);
    await screenshot(page, 'console-packages');
    await expectNoSeriousA11yViolations(page);

    // Too cheap for Stripe: the SDK's own rule refuses it on the field, nothing is created.
    const form = page.getByRole('region', { name: 'New package' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Too cheap');
    await form.getByRole('textbox', { name: 'Price (USD)' }).fill('0.20');
    await form.getByRole('textbox', { name: 'Minutes', exact: true }).fill('10');
    await form.getByRole('button', { name: 'Create package' }).click();
    await form.getByText(/must be at least 50/).waitFor({ timeout: 10_000 });
    expect((await adminPackages()).map((p) => p.name)).not.toContain('Too cheap');

    await form.getByRole('textbox', { name: 'Name' }).fill('Evening Pack');
    await form.getByRole('textbox', { name: 'Price (USD)' }).fill('12.50');
    await form.getByRole('textbox', { name: 'Minutes', exact: true }).fill('90');
    await form.getByRole('textbox', { name: 'Bonus minutes' }).fill('15');
    await form.getByRole('textbox', { name: 'Description (optional)' }).fill('For long evenings');
    await form.getByRole('button', { name: 'Create package' }).click();
    await page.getByRole('status').filter({ hasText: 'Evening Pack created.' }).waitFor({ timeout: 20_000 });
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /Evening Pack/ }) });
    await row.waitFor({ timeout: 20_000 });
    expect(await row.innerText()).toMatch(/\$12\.50[\s\S]*105 min[\s\S]*incl\. 15 min bonus[\s\S]*On sale/);
    expect((await adminPackages()).find((p) => p.name === 'Evening Pack')).toMatchObject({
      priceCents: 1250,
      currency: 'usd',
      baseSeconds: 5400,
      bonusSeconds: 900,
      active: true,
    });

    // Edit: a new price, saved through PATCH, shown in the list.
    await row.getByRole('button', { name: 'Edit Evening Pack' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Evening Pack' });
    await dialog.getByRole('textbox', { name: 'Price (USD)' }).fill('14');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Evening Pack saved.' }).waitFor({ timeout: 20_000 });
    await row.getByText('$14.00').waitFor({ timeout: 20_000 });
    expect((await adminPackages()).find((p) => p.name === 'Evening Pack')?.priceCents).toBe(1400);

    // Withdraw, after a confirmation: off sale for users, still listed for the admin.
    await row.getByRole('button', { name: 'Withdraw Evening Pack' }).click();
    const confirm = page.getByRole('dialog', { name: 'Withdraw Evening Pack?' });
    await confirm.getByRole('button', { name: 'Withdraw' }).click();
    await page.getByRole('status').filter({ hasText: 'Evening Pack withdrawn from sale.' }).waitFor({ timeout: 20_000 });
    await row.getByText('Withdrawn').waitFor();
    const onSale = (await platform.api(tenant, 'GET', '/v1/packages', { token: admin.token })).body.packages as { name: string }[];
    expect(onSale.map((p) => p.name)).not.toContain('Evening Pack');
    expect((await adminPackages()).find((p) => p.name === 'Evening Pack')?.active).toBe(false);

    // A reload keeps the admin signed in (the tab's refresh token), on the same page.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Packages' }).waitFor({ timeout: 30_000 });
    expect(tab.pageErrors).toEqual([]);
  }, 180_000);

  it('creates an API key, shows its secret once (it works), and revokes it after a confirmation', async () => {
    const { platform, tenant, origin, user: admin } = world;
    const tab = await world.newTab();
    const { page } = tab;
    await signInToConsole(page, origin, admin);
    await openSection(page, 'API keys');
    await loaded(page);
    const form = page.getByRole('region', { name: 'New API key' });
    await form.getByRole('textbox', { name: 'Name' }).fill('Ticket server');
    await form.getByRole('checkbox', { name: /api-keys:read/ }).check();
    await form.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByRole('dialog', { name: 'Your new key: Ticket server' });
    await shown.waitFor({ timeout: 20_000 });
    const secret = (await shown.getByTestId('api-key-secret').innerText()).trim();
    expect(secret).toMatch(/^mb_/);
    await shown.getByRole('button', { name: 'Copy Secret key' }).waitFor();
    await screenshot(page, 'console-api-key-created');
    await expectNoSeriousA11yViolations(page);
    // The key works for what it was given.
    expect((await platform.api(tenant, 'GET', '/v1/api-keys', { token: secret })).status).toBe(200);

    await shown.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'hidden' });
    // Shown once: nowhere in the page after the dialog closes, and not after a reload either.
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /Ticket server/ }) });
    await row.waitFor({ timeout: 20_000 });
    expect(await row.innerText()).toContain(`…${secret.slice(-4)}`);
    expect(await page.locator('body').innerText()).not.toContain(secret);
    expect(await row.getByText('Active').count()).toBe(1);
    await screenshot(page, 'console-api-keys');
    await expectNoSeriousA11yViolations(page);

    await row.getByRole('button', { name: 'Revoke Ticket server' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke Ticket server?' });
    await confirm.getByText('This cannot be undone.').waitFor();
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('status').filter({ hasText: 'Ticket server revoked.' }).waitFor({ timeout: 20_000 });
    await row.getByText('Revoked').waitFor({ timeout: 20_000 });
    expect(await row.getByRole('button', { name: 'Revoke Ticket server' }).count()).toBe(0);
    expect((await platform.api(tenant, 'GET', '/v1/api-keys', { token: secret })).status).toBe(401);
    const listed = (await platform.api(tenant, 'GET', '/v1/api-keys', { token: admin.token })).body.apiKeys as {
      name: string;
      revokedAt: string | null;
    }[];
    expect(listed.find((k) => k.name === 'Ticket server')?.revokedAt).not.toBeNull();
    expect(tab.pageErrors).toEqual([]);
  }, 120_000);

  it('reads usage and revenue as the reports API has them, and shows users, branding and identity providers, each accessible', async () => {
    const { platform, tenant, origin, user: admin } = world;
    // A sale today: a member buys the first package (paid as Stripe would).
    const buyer = await consoleUser(platform, tenant, 'bea');
    const bought = await platform.buyCard(tenant, buyer.token);
    const today = new Date().toISOString().slice(0, 10);
    const report = (await platform.api(tenant, 'GET', `/v1/admin/reports?from=${today}&to=${today}`, { token: admin.token })).body as {
      usage: { purchasesPaid: number }[];
      revenue: { grossCents: number; currency: string }[];
    };
    const grossCents = report.revenue.reduce((sum, r) => sum + r.grossCents, 0);
    expect(grossCents).toBeGreaterThan(0);

    const tab = await world.newTab();
    const { page } = tab;
    await signInToConsole(page, origin, admin);

    await openSection(page, 'Usage & revenue');
    await loaded(page);
    const stat = (name: string) =>
      page
        .locator('.stat')
        .filter({ has: page.getByText(name, { exact: true }) })
        .locator('.stat-value');
    expect(await stat('Purchases').innerText()).toBe(String(report.usage.reduce((sum, u) => sum + u.purchasesPaid, 0)));
    expect(await stat('Revenue').innerText()).toBe(`$${(grossCents / 100).toFixed(2)}`);
    await page.getByRole('img', { name: /^Revenue by day: \$/ }).waitFor();
    await page.getByRole('row').filter({ hasText: buyer.email }).waitFor({ timeout: 20_000 });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download revenue CSV' }).click();
    expect((await download).suggestedFilename()).toMatch(/^revenue-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    await screenshot(page, 'console-usage');
    await expectNoSeriousA11yViolations(page);
    expect(bought.purchaseId).toMatch(/\S/);

    await openSection(page, 'Users', 'Users & invitations');
    await loaded(page);
    await page.getByRole('rowheader', { name: new RegExp(admin.email.replace(/\./g, '\\.')) }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'console-users');
    await expectNoSeriousA11yViolations(page);

    await openSection(page, 'Branding & persona');
    await loaded(page);
    await page.getByTestId('widget-preview').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('preview-name').innerText()).toBe('Acme Voice');
    await screenshot(page, 'console-branding');
    await expectNoSeriousA11yViolations(page);

    await openSection(page, 'Identity providers');
    await loaded(page);
    await page.getByRole('heading', { name: 'Add a connection' }).waitFor();
    await screenshot(page, 'console-identity');
    await expectNoSeriousA11yViolations(page);
    expect(tab.pageErrors).toEqual([]);
  }, 180_000);
});
