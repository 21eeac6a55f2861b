import type { Browser, Route } from 'playwright-core';
import { freePort } from '@mindbot/testing';
import { startOidcIdp, type TestOidcIdp } from '@mindbot/testing/oidc-idp';
import {
  embeddingPage,
  expectNoSeriousA11yViolations,
  launchBrowser,
  newTestPage,
  screenshot,
  startStaticSite,
  widgetScript,
  type StaticSite,
  type TestPage,
  Teardown,
} from '../support/browser.js';
import { startBrowserPlatform, type BrowserPlatform } from '../support/browser-platform.js';
import { secondsOfDuration } from '../support/browser-widget.js';

// SSO sign-in from the embedded widget (issue 13): the tenant has an OIDC connection (made through
// SSO's admin API, as an admin would) to a certified OpenID Provider double; the widget on the
// customer's website offers `Continue with {name}`, the browser goes to the IdP, signs in on its
// login page, and comes back to the embedding page, where the widget redeems the code (PKCE) and
// shows the signed-in home. Just-in-time users: the IdP's person becomes a new user of the tenant.

const CONNECTION_NAME = 'Corp Login';

/** The IdP double answers its interactions over HTTP (`?login=<account>`); a browser needs a page to type it in. */
const IDP_LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Corp IdP</title></head>
<body><main><h1>Sign in to Corp IdP</h1>
<form method="get"><label for="login">Account</label> <input id="login" name="login" autocomplete="username">
<button type="submit">Sign in</button></form></main></body></html>`;

describe('SSO sign-in in the embedded widget', () => {
  let platform: BrowserPlatform;
  let site: StaticSite;
  let browser: Browser;
  let idp: TestOidcIdp;
  const teardown = new Teardown();
  let tab: TestPage | undefined;
  let tenant: string;
  let connectionId: string;

  beforeAll(async () => {
    site = teardown.add(await startStaticSite(), (s) => s.close());
    // The IdP double speaks plain http on loopback: SSO allows that outside production only with this setting.
    platform = teardown.add(await startBrowserPlatform({ env: { SSO_ALLOW_INSECURE_IDP_URLS: 'true' } }), (p) => p.stop());
    tenant = await platform.addTenant('ssow', { displayName: 'Acme Voice', embedOrigins: [site.origin('shop.localhost')] });

    // The tenant's first admin (signed up, granted admin as `mindbot user role` does) connects the IdP.
    const adminEmail = `admin-${Date.now()}@acme.example`;
    const adminPassword = 'an admin password of some length';
    await platform.signUp(tenant, adminEmail, adminPassword);
    await platform.grantRole(tenant, adminEmail, 'admin');
    const login = await platform.api(tenant, 'POST', '/v1/auth/password/login', { body: { email: adminEmail, password: adminPassword } });
    expect(login.status).toBe(200);
    const idpPort = await freePort();
    const clientId = 'client-widget-sso';
    const clientSecret = 'secret-widget-sso-0123456789';
    const created = await platform.api(tenant, 'POST', '/v1/sso/connections', {
      token: String(login.body.access_token),
      body: {
        kind: 'oidc',
        name: CONNECTION_NAME,
        settings: { issuer: `http://127.0.0.1:${idpPort}`, clientId, idTokenAlgorithm: 'RS256', scopes: 'openid email profile groups' },
        secrets: { clientSecret },
      },
    });
    if (created.status !== 201) throw new Error(`creating the OIDC connection: ${created.status} ${JSON.stringify(created.body)}`);
    connectionId = String(created.body.id);
    const redirectUri = (created.body.oidc as { redirectUri?: string } | undefined)?.redirectUri ?? '';
    expect(redirectUri).toBe(`${platform.tenantOrigin(tenant)}/v1/sso/oidc/${connectionId}/callback`);
    idp = await startOidcIdp({
      port: idpPort,
      accounts: { alice: { email: 'alice@corp.test', name: 'Alice', groups: ['staff'] } },
      clients: [{ clientId, clientSecret, redirectUris: [redirectUri] }],
    });
    teardown.add(idp, (i) => i.close());

    site.page('/', embeddingPage('Shop', [widgetScript(platform.tenantOrigin(tenant), { open: 'true' })]));
    browser = teardown.add(await launchBrowser(), (b) => b.close());
  }, 300_000);

  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
  });

  afterAll(() => teardown.run(), 90_000);

  it('offers Continue with the connection, signs in at the IdP, and comes back to the embedding page signed in as a new user', async () => {
    // The branding lists the enabled connection.
    const branding = await platform.api(tenant, 'GET', '/v1/branding', { origin: site.origin('shop.localhost') });
    expect(branding.status).toBe(200);
    expect(branding.body.ssoConnections).toEqual([expect.objectContaining({ id: connectionId, name: CONNECTION_NAME })]);

    tab = await newTestPage(browser);
    const { page, context } = tab;
    // The IdP double answers its login interaction over HTTP (`?login=`), and Playwright routes no
    // redirect hops: the sign-in start (a navigation) is answered with a page that goes on to the IdP,
    // whose authorization request is answered with a login page (carrying the IdP's interaction
    // cookies) that submits the account to the interaction. Everything after is the real flow.
    const interactions: string[] = [];
    await context.route(
      (url: URL) => url.origin === platform.tenantOrigin(tenant) && url.pathname === '/v1/sso/login',
      async (route: Route) => {
        // Node resolves no *.localhost names: to loopback, with the tenant's Host.
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
    await context.route(
      (url: URL) => url.origin === idp.issuer && url.pathname === '/auth',
      async (route: Route) => {
        const answer = await route.fetch({ maxRedirects: 0 });
        const location = answer.headers().location;
        if (location === undefined || !location.includes('/interaction/')) {
          await route.fulfill({ response: answer });
          return;
        }
        const action = new URL(location, idp.issuer).href;
        interactions.push(action);
        const cookies = answer.headers()['set-cookie'];
        await route.fulfill({
          status: 200,
          contentType: 'text/html; charset=utf-8',
          headers: cookies === undefined ? {} : { 'set-cookie': cookies },
          body: IDP_LOGIN_PAGE.replace('<form method="get">', `<form method="get" action="${action}">`),
        });
      },
    );
    const shop = `${site.origin('shop.localhost')}/`;
    await page.goto(shop);
    const panel = page.getByRole('dialog', { name: 'Acme Voice' });
    await panel.waitFor({ timeout: 20_000 });
    const button = panel.getByRole('button', { name: `Continue with ${CONNECTION_NAME}` });
    await button.waitFor({ timeout: 20_000 });
    await screenshot(page, 'sso-button');
    await expectNoSeriousA11yViolations(page);

    await button.click();
    await page
      .waitForURL((url) => url.href.startsWith(`${idp.issuer}/auth`), { timeout: 30_000 })
      .catch(async (e: unknown) => {
        throw new Error(
          `not at the IdP's login: at ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 2000)}\n${String(e)}`,
        );
      });
    await page.getByRole('heading', { name: 'Sign in to Corp IdP' }).waitFor();
    await page.getByRole('textbox', { name: 'Account' }).fill('alice');
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Back on the customer's page (SSO's callback sends the code there), and the widget redeems it.
    await page.waitForURL((url) => url.origin === site.origin('shop.localhost'), { timeout: 30_000 });
    const home = page.getByRole('dialog', { name: 'Acme Voice' });
    await home.getByRole('heading', { name: 'Balance' }).waitFor({ timeout: 30_000 });
    expect(secondsOfDuration(await home.getByLabel('Available time').innerText())).toBe(0);
    // The code is cleared from the address bar.
    expect(page.url()).toBe(shop);
    await screenshot(page, 'sso-signed-in');
    await expectNoSeriousA11yViolations(page);

    // The widget's own token is the SSO user's (a new user made just in time, linked to the connection).
    const tenantHost = new URL(platform.tenantOrigin(tenant)).host;
    const stored = await page.evaluate((host) => {
      for (let i = 0; i < sessionStorage.length; i++) {
        const key = sessionStorage.key(i) ?? '';
        if (key.includes(host) && key.endsWith('tokens')) return sessionStorage.getItem(key);
      }
      return null;
    }, tenantHost);
    const accessToken = (JSON.parse(stored ?? '{}') as { accessToken?: unknown }).accessToken;
    expect(typeof accessToken).toBe('string');
    const me = await platform.api(tenant, 'GET', '/v1/auth/me', { token: String(accessToken) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ tenant, email: 'alice@corp.test', identities: [{ connectionId }] });
    expect(interactions).toHaveLength(1);
    expect(tab.pageErrors).toEqual([]);
  }, 180_000);
});
