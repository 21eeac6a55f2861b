import type { Browser, Route } from 'playwright-core';
import { freePort } from '@mindbot/testing';
import { startOidcIdp, type TestOidcIdp } from '@mindbot/testing/oidc-idp';
import { expectNoSeriousA11yViolations, launchBrowser, newTestPage, screenshot, type TestPage, Teardown } from '../support/browser.js';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { consoleNav, consoleUser, loaded, openSection, signInToConsole, type ConsoleUser } from '../support/browser-console.js';

// An identity provider added in the console (issue 14): the admin adds an OIDC connection to a
// certified OpenID Provider double, with a group-to-role rule, and copies the redirect URL it shows;
// then a person of that IdP signs in to the console with `Continue with {name}` (the widget's
// redirect flow, back to /console/sign-in) and, by the rule, gets the admin pages.

const CONNECTION_NAME = 'Corp Login';

/** The IdP double answers its interactions over HTTP (`?login=<account>`); a browser needs a page to type it in. */
const IDP_LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corp IdP</title></head>
<body><main><h1>Sign in to Corp IdP</h1>
<form method="get"><label for="login">Account</label> <input id="login" name="login" autocomplete="username">
<button type="submit">Sign in</button></form></main></body></html>`;

describe('an OIDC connection added in the console', () => {
  let platform: BrowserPlatform;
  let browser: Browser;
  const teardown = new Teardown();
  const tabs: TestPage[] = [];
  let tenant: string;
  let origin: string;
  let admin: ConsoleUser;

  beforeAll(async () => {
    // The IdP double speaks plain http on loopback: SSO allows that outside production only with this setting.
    platform = teardown.add(await startBrowserPlatform({ env: { SSO_ALLOW_INSECURE_IDP_URLS: 'true' } }), (p) => p.stop());
    tenant = await platform.addTenant('csso', { displayName: 'Acme Voice' });
    origin = platform.tenantOrigin(tenant);
    admin = await consoleUser(platform, tenant, 'olivia', 'admin');
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterAll(async () => {
    for (const tab of tabs) await tab.context.close();
    await teardown.run();
  }, 90_000);

  it('is added with its redirect URL to copy, and signs a person of the IdP in to the console with the role its rule gives', async () => {
    const adminTab = await newTestPage(browser);
    tabs.push(adminTab);
    const { page } = adminTab;
    await signInToConsole(page, origin, admin);
    await openSection(page, 'Identity providers');
    await loaded(page);

    const idpPort = await freePort();
    const clientId = 'client-console-sso';
    const clientSecret = 'secret-console-sso-0123456789';
    const form = page.getByRole('region', { name: 'Add a connection' });
    await form.getByRole('radio', { name: 'OpenID Connect' }).check();
    await form.getByRole('textbox', { name: 'Name (shown on the sign-in button)' }).fill(CONNECTION_NAME);
    await form.getByRole('textbox', { name: 'Issuer URL' }).fill(`http://127.0.0.1:${idpPort}`);
    await form.getByRole('textbox', { name: 'Client ID' }).fill(clientId);
    await form.getByLabel('Client secret').fill(clientSecret);
    // The IdP double sends groups with the groups scope only.
    await form.getByRole('textbox', { name: 'Scopes' }).fill('openid email profile groups');
    await form.getByRole('textbox', { name: 'Group to role rules (optional)' }).fill('staff = admin');
    await form.getByRole('button', { name: 'Add connection' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${CONNECTION_NAME} added.` })
      .waitFor({ timeout: 20_000 });

    const connection = page.getByRole('article', { name: new RegExp(CONNECTION_NAME) });
    await connection.waitFor({ timeout: 20_000 });
    const redirectUri = (
      await connection.locator('.copy-field').filter({ hasText: 'Redirect (callback) URL' }).locator('code').innerText()
    ).trim();
    expect(redirectUri).toMatch(new RegExp(`^${origin.replace(/\./g, '\\.')}/v1/sso/oidc/[^/]+/callback$`));
    await connection.getByRole('button', { name: 'Copy Redirect (callback) URL' }).waitFor();
    await screenshot(page, 'console-identity-connection');
    await expectNoSeriousA11yViolations(page);

    const idp: TestOidcIdp = await startOidcIdp({
      port: idpPort,
      accounts: { alice: { email: 'alice@corp.test', name: 'Alice', groups: ['staff'] } },
      clients: [{ clientId, clientSecret, redirectUris: [redirectUri] }],
    });
    teardown.add(idp, (i) => i.close());

    const sso = await newTestPage(browser);
    tabs.push(sso);
    // As in the widget's SSO test: Playwright routes no redirect hops, so the sign-in start (a
    // navigation) is answered with a page that goes on to the IdP, and the IdP's authorization
    // request with a login page carrying its interaction cookies. Everything after is the real flow.
    await sso.context.route(
      (url: URL) => url.origin === origin && url.pathname === '/v1/sso/login',
      async (route: Route) => {
        const url = new URL(route.request().url());
        const answer = await route.fetch({
          url: `http://127.0.0.1:${url.port}${url.pathname}${url.search}`,
          headers: { ...route.request().headers(), host: url.host },
          maxRedirects: 0,
        });
        const location = answer.headers().location;
        if (answer.status() !== 302 || location === undefined) {
          await route.fulfill({ response: answer });
          return;
        }
        await route.fulfill({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Redirecting</title></head><body><script>location.replace(${JSON.stringify(location)})</script></body></html>`,
        });
      },
    );
    await sso.context.route(
      (url: URL) => url.origin === idp.issuer && url.pathname === '/auth',
      async (route: Route) => {
        const answer = await route.fetch({ maxRedirects: 0 });
        const location = answer.headers().location;
        if (location === undefined || !location.includes('/interaction/')) {
          await route.fulfill({ response: answer });
          return;
        }
        const cookies = answer.headers()['set-cookie'];
        await route.fulfill({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: cookies === undefined ? {} : { 'set-cookie': cookies },
          body: IDP_LOGIN_PAGE.replace('<form method="get">', `<form method="get" action="${new URL(location, idp.issuer).href}">`),
        });
      },
    );

    await sso.page.goto(`${origin}/console`);
    const button = sso.page.getByRole('button', { name: `Continue with ${CONNECTION_NAME}` });
    await button.waitFor({ timeout: 30_000 });
    await screenshot(sso.page, 'console-sign-in-sso');
    await expectNoSeriousA11yViolations(sso.page);
    await button.click();
    await sso.page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/auth`), { timeout: 30_000 });
    await sso.page.getByRole('textbox', { name: 'Account' }).fill('alice');
    await sso.page.getByRole('button', { name: 'Sign in' }).click();

    // Back in the console, signed in as the IdP's person, an admin by the connection's rule.
    await sso.page.waitForURL((url) => url.origin === origin && url.pathname.startsWith('/console'), { timeout: 30_000 });
    await sso.page.getByRole('heading', { level: 1, name: 'Packages' }).waitFor({ timeout: 30_000 });
    expect(await sso.page.getByText('Signed in as alice@corp.test').count()).toBe(1);
    expect(await consoleNav(sso.page).getByRole('link').allInnerTexts()).toContain('Identity providers');
    // The one-time code is gone from the address bar.
    expect(new URL(sso.page.url()).hash).toBe('');
    const users = await platform.api(tenant, 'GET', '/v1/users?q=alice%40corp.test', { token: admin.token });
    expect(users.body.users).toEqual([expect.objectContaining({ email: 'alice@corp.test', roles: expect.arrayContaining(['admin']) })]);
    expect([...adminTab.pageErrors, ...sso.pageErrors]).toEqual([]);
  }, 180_000);
});
