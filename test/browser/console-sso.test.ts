import type { Route } from 'playwright-core';
import { freePort } from '@mindbot/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startOidcIdp, type TestOidcIdp } from '@mindbot/testing/oidc-idp';
import { TestSamlIdp } from '@mindbot/testing/saml-idp';
import { expectNoSeriousA11yViolations, screenshot } from '../support/browser.js';
import { consoleNav, loaded, openSection, signInToConsole, useConsoleWorld } from '../support/browser-console.js';

// An identity provider added in the console (issue 14): the admin adds an OIDC connection to a
// certified OpenID Provider double, with a group-to-role rule, and copies the redirect URL it shows;
// then a person of that IdP signs in to the console with `Continue with {name}` (the widget's
// redirect flow, back to /console/sign-in) and, by the rule, gets the admin pages. Before that, Test
// connection shows SSO loading the IdP's discovery document and keys, and the rules are edited.

const CONNECTION_NAME = 'Corp Login';

/** The IdP double answers its interactions over HTTP (`?login=<account>`); a browser needs a page to type it in. */
const IDP_LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corp IdP</title></head>
<body><main><h1>Sign in to Corp IdP</h1>
<form method="get"><label for="login">Account</label> <input id="login" name="login" autocomplete="username">
<button type="submit">Sign in</button></form></main></body></html>`;

describe('an OIDC connection added in the console', () => {
  // The IdP double speaks plain http on loopback: SSO allows that outside production only with this setting.
  const world = useConsoleWorld('csso', {
    displayName: 'Acme Voice',
    userName: 'olivia',
    role: 'admin',
    platform: { env: { SSO_ALLOW_INSECURE_IDP_URLS: 'true' } },
  });
  let idp: TestOidcIdp | undefined;

  afterAll(() => idp?.close(), 30_000);

  it('is added with its redirect URL to copy, and signs a person of the IdP in to the console with the role its rule gives', async () => {
    const { platform, tenant, origin, user: admin } = world;
    const adminTab = await world.newTab();
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

    // Test connection before the IdP runs: the discovery document cannot be loaded, and the page says so.
    const results = connection.getByRole('region', { name: `Test results for ${CONNECTION_NAME}` });
    await connection.getByRole('button', { name: `Test connection ${CONNECTION_NAME}` }).click();
    await results
      .getByRole('status')
      .filter({ hasText: `Connection test failed for ${CONNECTION_NAME}` })
      .waitFor({ timeout: 30_000 });
    expect(await results.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringMatching(/^Failed discovery: .*could not be reached/),
    ]);

    const started = await startOidcIdp({
      port: idpPort,
      accounts: { alice: { email: 'alice@corp.test', name: 'Alice', groups: ['staff'] } },
      clients: [{ clientId, clientSecret, redirectUris: [redirectUri] }],
    });
    idp = started;

    // With the IdP up, every check passes: its discovery document, the algorithm and its keys.
    await connection.getByRole('button', { name: `Test connection ${CONNECTION_NAME}` }).click();
    await results
      .getByRole('status')
      .filter({ hasText: `Connection test passed: ${CONNECTION_NAME} is ready for sign-in.` })
      .waitFor({ timeout: 30_000 });
    const passed = await results.getByRole('listitem').allInnerTexts();
    expect(passed.map((item) => item.split(':')[0])).toEqual(['Passed discovery', 'Passed algorithm', 'Passed jwks']);
    expect(passed[0]).toContain(`issuer ${started.issuer}`);
    await screenshot(page, 'console-identity-test-connection');
    await expectNoSeriousA11yViolations(page);

    // The group-to-role rules are edited in a dialog; the API has them after saving.
    await connection.getByRole('button', { name: `Edit group to role rules of ${CONNECTION_NAME}` }).click();
    const rulesDialog = page.getByRole('dialog', { name: `Group to role rules of ${CONNECTION_NAME}` });
    const rules = rulesDialog.getByRole('textbox', { name: 'Group to role rules' });
    expect(await rules.inputValue()).toBe('staff = admin');
    await rules.fill('staff = admin\nnot a rule');
    await rulesDialog.getByRole('button', { name: 'Save changes' }).click();
    await rulesDialog.getByText('each line must be group = role').waitFor({ timeout: 10_000 });
    await rules.fill('staff = admin\nauditors = member');
    await screenshot(page, 'console-identity-role-rules');
    await expectNoSeriousA11yViolations(page);
    await rulesDialog.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Rules of ${CONNECTION_NAME} saved.` })
      .waitFor({ timeout: 20_000 });
    await connection.getByText('staff = admin, auditors = member').waitFor({ timeout: 20_000 });
    const saved = (await platform.api(tenant, 'GET', '/v1/sso/connections', { token: admin.token })).body.connections as {
      name: string;
      roleRules: { group: string; role: string }[];
    }[];
    expect(saved.find((c) => c.name === CONNECTION_NAME)?.roleRules).toEqual([
      { group: 'staff', role: 'admin' },
      { group: 'auditors', role: 'member' },
    ]);

    const sso = await world.newTab();
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
      (url: URL) => url.origin === started.issuer && url.pathname === '/auth',
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
          body: IDP_LOGIN_PAGE.replace('<form method="get">', `<form method="get" action="${new URL(location, started.issuer).href}">`),
        });
      },
    );

    await sso.page.goto(`${origin}/console`);
    const button = sso.page.getByRole('button', { name: `Continue with ${CONNECTION_NAME}` });
    await button.waitFor({ timeout: 30_000 });
    await screenshot(sso.page, 'console-sign-in-sso');
    await expectNoSeriousA11yViolations(sso.page);
    await button.click();
    await sso.page.waitForURL((url) => url.href.startsWith(`${started.issuer}/auth`), { timeout: 30_000 });
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

  it('reads a SAML IdP’s metadata from its URL before saving, then adds the connection, whose certificates test as valid', async () => {
    const samlIdp = new TestSamlIdp('corp');
    const metadata = samlIdp.metadataXml();
    const files = createServer((req, res) => {
      if (req.url === '/saml/metadata.xml') res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(metadata);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    try {
      const metadataUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/saml/metadata.xml`;
      const tab = await world.newTab();
      const { page } = tab;
      await signInToConsole(page, world.origin, world.user);
      await openSection(page, 'Identity providers');
      await loaded(page);
      const form = page.getByRole('region', { name: 'Add a connection' });
      await form.getByRole('radio', { name: 'SAML' }).check();
      await form.getByRole('textbox', { name: 'Name (shown on the sign-in button)' }).fill('Corp SAML');
      // A URL that answers 404: SSO says so, nothing is saved.
      await form.getByRole('textbox', { name: 'IdP metadata URL' }).fill(metadataUrl.replace('metadata.xml', 'missing.xml'));
      await form.getByRole('button', { name: 'Load metadata' }).click();
      await form.getByRole('alert').filter({ hasText: 'answered 404' }).waitFor({ timeout: 20_000 });

      await form.getByRole('textbox', { name: 'IdP metadata URL' }).fill(metadataUrl);
      await form.getByRole('button', { name: 'Load metadata' }).click();
      await form
        .getByRole('status')
        .filter({ hasText: `Metadata loaded: entity ${samlIdp.entityId}, sign-in at ${samlIdp.ssoUrl}, 1 signing certificate(s).` })
        .waitFor({ timeout: 20_000 });
      await screenshot(page, 'console-identity-saml-metadata');
      await expectNoSeriousA11yViolations(page);

      await form.getByRole('button', { name: 'Add connection' }).click();
      await page.getByRole('status').filter({ hasText: 'Corp SAML added.' }).waitFor({ timeout: 20_000 });
      const connection = page.getByRole('article', { name: /Corp SAML/ });
      await connection.getByRole('button', { name: 'Test connection Corp SAML' }).click();
      const results = connection.getByRole('region', { name: 'Test results for Corp SAML' });
      await results.getByRole('status').filter({ hasText: 'Connection test passed' }).waitFor({ timeout: 20_000 });
      expect(await results.getByRole('listitem').allInnerTexts()).toEqual([
        expect.stringMatching(/^Passed certificate: certificate 1: .*valid until/),
      ]);
      expect(tab.pageErrors).toEqual([]);
    } finally {
      files.closeAllConnections();
      await new Promise<void>((resolve) => files.close(() => resolve()));
    }
  }, 120_000);
});
