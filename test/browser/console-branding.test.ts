import { expectNoSeriousA11yViolations, until } from '../support/browser.js';
import { loaded, openSection, signInToConsole, useConsoleWorld } from '../support/browser-console.js';

// Branding and persona in the console (issue 14): what the Tenant manifest sets is shown read-only,
// marked as managed by it; what it leaves to the console is saved through PATCH /v1/admin/branding,
// and `Use default` hands it back to the platform's default.

describe('branding and persona in the console', () => {
  const world = useConsoleWorld('cbrd', {
    displayName: 'Acme Voice',
    userName: 'olivia',
    role: 'admin',
    tenant: { primaryColor: '#0f766e', greeting: 'Welcome to Acme.' },
  });

  const view = async () =>
    (await world.platform.api(world.tenant, 'GET', '/v1/admin/branding', { token: world.user.token })).body as {
      settings: Record<string, string | null>;
      managedBy: Record<string, string>;
    };

  it('shows the manifest’s settings read-only beside the preview, saves one the console may set, and puts it back to the default', async () => {
    const before = await view();
    const managed = Object.keys(before.managedBy).filter((key) => before.managedBy[key] === 'manifest');
    expect(managed).toEqual(expect.arrayContaining(['displayName', 'greeting', 'primaryColor']));
    // The test manifest leaves the language to the console (its agent's language is not a branding setting).
    expect(before.managedBy.language).toBe('default');

    const tab = await world.newTab();
    const { page } = tab;
    await signInToConsole(page, world.origin, world.user);
    await openSection(page, 'Branding & persona');
    await loaded(page);

    // The manifest's values: read-only, each marked, and in the preview.
    const greeting = page.getByRole('textbox', { name: 'Greeting' });
    expect(await greeting.inputValue()).toBe('Welcome to Acme.');
    expect(await greeting.getAttribute('readonly')).not.toBeNull();
    expect(await page.getByText('Managed by the Tenant manifest').count()).toBe(managed.length);
    expect(await page.getByTestId('preview-greeting').innerText()).toBe('Welcome to Acme.');
    expect(await page.getByTestId('preview-name').innerText()).toBe('Acme Voice');
    // The preview's panel header is in the brand colour.
    const header = await page
      .getByTestId('widget-preview')
      .locator('.preview-head')
      .evaluate((e) => getComputedStyle(e).backgroundColor);
    expect(header).toBe('rgb(15, 118, 110)');

    // A setting the manifest leaves to the console: saved, then handed back to the default.
    const language = page.getByRole('textbox', { name: 'Language' });
    expect(await language.getAttribute('readonly')).toBeNull();
    await language.fill('not a language');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('must be a language tag such as en or en-US').waitFor({ timeout: 10_000 });
    expect((await view()).managedBy.language).toBe(before.managedBy.language);

    await language.fill('de');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor({ timeout: 20_000 });
    const saved = await view();
    expect([saved.settings.language, saved.managedBy.language]).toEqual(['de', 'console']);
    await page.getByText('Set in the console').waitFor();
    await expectNoSeriousA11yViolations(page);

    await page.getByRole('button', { name: 'Use default: Language' }).click();
    await page.getByRole('button', { name: 'Save changes' }).click();
    await until('the language back to the default', async () => ((await view()).managedBy.language === 'default' ? true : undefined));
    expect(tab.pageErrors).toEqual([]);
  }, 120_000);
});
