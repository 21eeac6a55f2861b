import { randomBytes } from 'node:crypto';
import type { Browser, Locator, Page } from 'playwright-core';
import { freePort, startSmtpServer, type TestSmtpServer } from '@mindbot/testing';
import { launchBrowser, newTestPage, Teardown, type TestPage } from './browser.js';
import { startBrowserPlatform, type BrowserPlatform, type BrowserPlatformOptions, type TenantOptions } from './browser-platform.js';

// What the console's browser tests share (issue 14): users of a tenant with a password (and a role,
// granted as `mindbot user role` does), signing in at /console, and moving between its sections by
// the accessible names of its navigation.

export interface ConsoleUser {
  email: string;
  password: string;
  /** A platform access token of the user, with the roles it has now (for checking the API directly). */
  token: string;
}

/** Passwords here must pass the policy: long, and without the email's local part in them. */
const PASSWORD = 'correct horse battery staple 42';

/** A new user of the tenant (signed up with a password), given `role` when one is named. */
export async function consoleUser(platform: BrowserPlatform, slug: string, name: string, role?: string): Promise<ConsoleUser> {
  const email = `${name}.${Date.now()}@acme.example`;
  await platform.signUp(slug, email, PASSWORD);
  if (role) await platform.grantRole(slug, email, role);
  // Signed in again after the grant, so the token carries the role.
  const login = await platform.api(slug, 'POST', '/v1/auth/password/login', { body: { email, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`signing in ${email} on ${slug}: ${login.status} ${JSON.stringify(login.body)}`);
  return { email, password: PASSWORD, token: String(login.body.access_token) };
}

/** The console's sections (its one navigation landmark). */
export function consoleNav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Console sections' });
}

/** Opens the console at the tenant's origin, signs in with the password, and waits for the signed-in frame. */
export async function signInToConsole(page: Page, origin: string, user: Pick<ConsoleUser, 'email' | 'password'>): Promise<void> {
  await page.goto(`${origin}/console`);
  await page.getByRole('heading', { level: 1, name: /^Sign in to / }).waitFor({ timeout: 30_000 });
  await page.getByRole('textbox', { name: 'Email' }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await consoleNav(page).waitFor({ timeout: 30_000 });
}

/** Goes to a section by its link in the navigation and waits for the page's heading. */
export async function openSection(page: Page, link: string, heading = link): Promise<void> {
  await consoleNav(page).getByRole('link', { name: link }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 30_000 });
}

/** Waits until the page shows no `Loading…` any more (its queries answered). */
export async function loaded(page: Page): Promise<void> {
  await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached', timeout: 30_000 });
}

/**
 * The link to a console page (`accept-invite`, `reset-password`) in the latest mail to `email`:
 * without SMTP, `npm start`'s SSO writes each message to its log (development only), which the
 * browser platform keeps.
 */
export function mailedLink(platformOutput: string, email: string, page: 'accept-invite' | 'reset-password'): string | undefined {
  const path = `/console/${page}?token=`;
  const lines = platformOutput.split('\n').filter((line) => line.includes(email) && line.includes(path));
  const match = new RegExp(`(https?://[^\\s"\\\\]+/console/${page}\\?token=[A-Za-z0-9_%.~-]+)`).exec(lines.at(-1) ?? '');
  return match?.[1];
}

/** One console test file's world: the platform, one tenant with a user of `role`, and a browser whose tabs close at the end. */
export interface ConsoleWorld {
  platform: BrowserPlatform;
  tenant: string;
  origin: string;
  user: ConsoleUser;
  /** A fresh browser context and page, closed after the file's tests. */
  newTab(): Promise<TestPage>;
  /** With `mail`: the loopback SMTP server SSO sends through (SMTP_URL), and SSO's internal API as provisioning calls it. */
  mail?: { smtp: TestSmtpServer; ssoUrl: URL; serviceToken: string };
}

/**
 * Starts that world before the file's tests (npm start on free ports, a tenant named `displayName`,
 * Chromium) and stops it after them. Read the answer's fields inside tests: they are set in beforeAll.
 */
export function useConsoleWorld(
  base: string,
  options: {
    displayName: string;
    userName: string;
    role?: string;
    tenant?: Omit<TenantOptions, 'displayName'>;
    platform?: BrowserPlatformOptions;
    /** Mail goes out through a loopback SMTP server the test reads, and the test knows SSO's address and service token. */
    mail?: boolean;
  },
): ConsoleWorld {
  const teardown = new Teardown();
  const tabs: TestPage[] = [];
  let browser: Browser | undefined;
  const world = {
    newTab: async () => {
      if (!browser) throw new Error('the console world has not started');
      const tab = await newTestPage(browser);
      tabs.push(tab);
      return tab;
    },
  } as ConsoleWorld;

  beforeAll(async () => {
    let env = options.platform?.env ?? {};
    if (options.mail) {
      const smtp = teardown.add(await startSmtpServer(), (s) => s.stop());
      const ssoPort = await freePort();
      const serviceToken = randomBytes(24).toString('hex');
      world.mail = { smtp, ssoUrl: new URL(`http://127.0.0.1:${ssoPort}`), serviceToken };
      env = { ...env, SMTP_URL: smtp.url, SSO_PORT: String(ssoPort), BILLING_SERVICE_TOKEN: serviceToken };
    }
    world.platform = teardown.add(await startBrowserPlatform({ ...options.platform, env }), (p) => p.stop());
    world.tenant = await world.platform.addTenant(base, { ...options.tenant, displayName: options.displayName });
    world.origin = world.platform.tenantOrigin(world.tenant);
    world.user = await consoleUser(world.platform, world.tenant, options.userName, options.role);
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterAll(async () => {
    for (const tab of tabs) await tab.context.close();
    await teardown.run();
  }, 90_000);

  return world;
}
