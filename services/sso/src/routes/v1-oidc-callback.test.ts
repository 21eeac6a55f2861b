import { importJWK, SignJWT } from 'jose';
import request from 'supertest';
import { freePort } from '@mindbot/testing';
import { completeIdpLogin, startOidcIdp, type IdpAccount, type TestOidcIdp } from '@mindbot/testing/oidc-idp';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

interface Setup {
  tenant: TestTenant;
  idp: TestOidcIdp;
  connectionId: string;
  redirectUri: string;
}

describe('OIDC login against a real OpenID Provider (oidc-provider)', () => {
  let h: SsoHarness;
  let acme: Setup;
  let globex: Setup;
  let acmeOther: { connectionId: string; redirectUri: string };
  const accounts: Record<string, IdpAccount> = {
    alice: { email: 'alice@acme.test', name: 'Alice Admin', groups: ['eng-admins', 'staff'] },
    bob: { email: 'bob@acme.test', name: 'Bob', groups: ['staff'] },
    mallory: { email: 'mallory@acme.test', name: 'Mallory', groups: [] },
  };

  async function connect(tenant: TestTenant, name: string, issuer: string): Promise<{ connectionId: string; redirectUri: string }> {
    const admin = await h.tokenFor(tenant, ['admin']);
    const res = await request(h.app)
      .post('/v1/sso/connections')
      .set('Host', tenant.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({
        kind: 'oidc',
        name,
        settings: { issuer, clientId: `client-${name}`, idTokenAlgorithm: 'RS256', scopes: 'openid email profile groups' },
        secrets: { clientSecret: `secret-${name}-0123456789` },
        roleRules: [{ group: 'eng-admins', role: 'admin' }],
      });
    expect(res.status).toBe(201);
    expect(JSON.stringify(res.body)).not.toContain('secret-');
    return { connectionId: res.body.id as string, redirectUri: res.body.oidc.redirectUri as string };
  }

  async function setup(base: string): Promise<Setup> {
    const tenant = await h.tenant(base);
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const main = await connect(tenant, `${base}-main`, issuer);
    const clients = [{ clientId: `client-${base}-main`, clientSecret: `secret-${base}-main-0123456789`, redirectUris: [main.redirectUri] }];
    if (base === 'acme') {
      acmeOther = await connect(tenant, 'acme-other', issuer);
      clients.push({ clientId: 'client-acme-other', clientSecret: 'secret-acme-other-0123456789', redirectUris: [acmeOther.redirectUri] });
    }
    const idp = await startOidcIdp({ port, accounts, clients });
    return { tenant, idp, ...main };
  }

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await setup('acme');
    globex = await setup('globex');
  });

  afterAll(async () => {
    await acme.idp.close();
    await globex.idp.close();
    await h.close();
  });

  afterEach(() => {
    acme.idp.tamperIdToken = undefined;
  });

  async function startLogin(s: Setup, query: Record<string, string> = { connection: s.connectionId }): Promise<string> {
    const res = await request(h.app).get('/v1/sso/login').query(query).set('Host', s.tenant.host);
    expect(res.status).toBe(302);
    return res.headers.location as string;
  }

  async function callback(s: { tenant: TestTenant }, url: URL, path = url.pathname) {
    return request(h.app).get(`${path}${url.search}`).set('Host', s.tenant.host);
  }

  async function loginAs(s: Setup, login: string) {
    const location = await startLogin(s);
    const back = await completeIdpLogin(location, login, { redirectPrefix: s.tenant.origin });
    return callback(s, back);
  }

  async function expectRefused(s: Setup, res: request.Response, users: number, reason: RegExp) {
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe('The sign-in could not be completed.');
    expect(await h.userCount(s.tenant)).toBe(users);
    const refused = (await h.auditActions(s.tenant)).filter((a) => a.action === 'sso.login_refused').map((a) => JSON.stringify(a.data));
    expect(refused.some((d) => reason.test(d))).toBe(true);
  }

  const resign =
    (s: Setup, change: (claims: Record<string, unknown>) => Record<string, unknown>, alg: 'RS256' | 'ES256' = 'RS256') =>
    async (_token: string, claims: Record<string, unknown>) => {
      const key = await importJWK(alg === 'RS256' ? s.idp.keys.rsa : s.idp.keys.ec, alg);
      return new SignJWT(change(claims)).setProtectedHeader({ alg, kid: alg === 'RS256' ? 'idp-rsa' : 'idp-ec' }).sign(key);
    };

  it('drives the whole login without a browser and ends with a platform token for a just-provisioned user with mapped roles', async () => {
    const res = await loginAs(acme, 'alice');
    expect(res.status).toBe(200);
    const me = await request(h.app)
      .get('/v1/auth/me')
      .set('Host', acme.tenant.host)
      .set('Authorization', `Bearer ${String(res.body.access_token)}`);
    expect(me.body).toMatchObject({
      email: 'alice@acme.test',
      displayName: 'Alice Admin',
      roles: ['admin', 'member'],
      identities: [{ connectionId: acme.connectionId, groups: ['eng-admins', 'staff'] }],
    });
    const users = await h.userCount(acme.tenant);

    // Next login: same user (keyed by iss+sub), groups and roles refreshed from the IdP.
    accounts.alice = { email: 'alice@acme.test', name: 'Alice', groups: ['staff'] };
    const again = await loginAs(acme, 'alice');
    expect(again.status).toBe(200);
    expect(await h.userCount(acme.tenant)).toBe(users);
    const after = await request(h.app)
      .get('/v1/auth/me')
      .set('Host', acme.tenant.host)
      .set('Authorization', `Bearer ${String(again.body.access_token)}`);
    expect(after.body).toMatchObject({ id: me.body.id, displayName: 'Alice', roles: ['member'] });
  });

  it('refuses a state this SP never issued, and a state used twice', async () => {
    const users = await h.userCount(acme.tenant);
    const location = await startLogin(acme);
    const back = await completeIdpLogin(location, 'bob', { redirectPrefix: acme.tenant.origin });
    const forged = new URL(back);
    forged.searchParams.set('state', 'forged-state-value');
    await expectRefused(acme, await callback(acme, forged), users, /oidc_state_unknown/);
    // The genuine state was not consumed by the forgery; used once it works, used twice it is refused.
    expect((await callback(acme, back)).status).toBe(200);
    await expectRefused(acme, await callback(acme, back), users + 1, /oidc_state_unknown/);
  });

  it('refuses an ID token whose nonce does not match the one sent', async () => {
    const users = await h.userCount(acme.tenant);
    acme.idp.tamperIdToken = resign(acme, (c) => ({ ...c, nonce: 'another-nonce' }));
    await expectRefused(acme, await loginAs(acme, 'mallory'), users, /claim nonce".*oidc_token_invalid/);
  });

  it("refuses a code obtained with someone else's PKCE challenge (the verifier this login holds does not match)", async () => {
    const users = await h.userCount(acme.tenant);
    // The attacker runs a login of their own, up to the code, in their own browser...
    const attackerStart = await startLogin(acme);
    const attackerBack = await completeIdpLogin(attackerStart, 'mallory', { redirectPrefix: acme.tenant.origin });
    // ...and plants their code into the victim's callback (the victim's state, hence the victim's verifier).
    const victimStart = await startLogin(acme);
    const victimState = new URL(victimStart).searchParams.get('state') ?? '';
    const planted = new URL(attackerBack);
    planted.searchParams.set('state', victimState);
    await expectRefused(acme, await callback(acme, planted), users, /oidc_token_invalid/);
  });

  it.each([
    ['a wrong issuer', (c: Record<string, unknown>) => ({ ...c, iss: 'http://127.0.0.1:1' }), /claim iss".*oidc_token_invalid/],
    ['a wrong audience', (c: Record<string, unknown>) => ({ ...c, aud: 'client-somebody-else' }), /claim aud".*oidc_token_invalid/],
    [
      'an expired token',
      (c: Record<string, unknown>) => ({ ...c, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }),
      /claim exp".*oidc_token_invalid/,
    ],
  ])('refuses an ID token with %s', async (_name, change, reason) => {
    const users = await h.userCount(acme.tenant);
    acme.idp.tamperIdToken = resign(acme, change);
    await expectRefused(acme, await loginAs(acme, 'mallory'), users, reason);
  });

  it('refuses alg none and an algorithm other than the one the connection pins, even when validly signed by the IdP', async () => {
    const users = await h.userCount(acme.tenant);
    acme.idp.tamperIdToken = (_t, claims) =>
      Promise.resolve(
        `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`,
      );
    await expectRefused(acme, await loginAs(acme, 'mallory'), users, /oidc_token_invalid/);
    acme.idp.tamperIdToken = resign(acme, (c) => c, 'ES256');
    await expectRefused(acme, await loginAs(acme, 'mallory'), users, /oidc_token_invalid/);
  });

  it('refuses an authorization response delivered to another connection', async () => {
    const users = await h.userCount(acme.tenant);
    const location = await startLogin(acme);
    const back = await completeIdpLogin(location, 'mallory', { redirectPrefix: acme.tenant.origin });
    const otherPath = new URL(acmeOther.redirectUri).pathname;
    await expectRefused(acme, await callback(acme, back, otherPath), users, /oidc_state_other_connection/);
  });

  it("cannot be routed to another tenant's IdP: not by connection id, not by an idp_hint", async () => {
    const foreign = await request(h.app).get('/v1/sso/login').query({ connection: acme.connectionId }).set('Host', globex.tenant.host);
    expect(foreign.status).toBe(404);
    expect(foreign.headers.location).toBeUndefined();
    const hinted = await startLogin(globex, { connection: globex.connectionId, idp_hint: acme.idp.issuer, login_hint: 'alice@acme.test' });
    expect(new URL(hinted).origin).toBe(globex.idp.issuer);
    // And acme's callback with a state issued for globex is unknown in acme.
    const back = await completeIdpLogin(hinted, 'bob', { redirectPrefix: globex.tenant.origin });
    const users = await h.userCount(acme.tenant);
    await expectRefused(acme, await callback(acme, back, new URL(acme.redirectUri).pathname), users, /oidc_state_unknown/);
  });

  it('refuses unknown and disabled connections and a suspended tenant, with an audit entry and no redirect', async () => {
    expect((await request(h.app).get('/v1/sso/login').query({ connection: 'con_doesnotexist' }).set('Host', acme.tenant.host)).status).toBe(
      404,
    );
    const admin = await h.tokenFor(acme.tenant, ['admin']);
    await request(h.app)
      .patch(`/v1/sso/connections/${acmeOther.connectionId}`)
      .set('Host', acme.tenant.host)
      .set('Authorization', `Bearer ${admin}`)
      .send({ status: 'disabled' })
      .expect(200);
    const disabled = await request(h.app).get('/v1/sso/login').query({ connection: acmeOther.connectionId }).set('Host', acme.tenant.host);
    expect(disabled.status).toBe(403);
    const reasons = (await h.auditActions(acme.tenant)).filter((a) => a.action === 'sso.login_refused').map((a) => JSON.stringify(a.data));
    expect(reasons.some((r) => r.includes('unknown_connection'))).toBe(true);
    expect(reasons.some((r) => r.includes('connection_disabled'))).toBe(true);

    const suspended = await h.tenant('suspended', { suspended: true });
    const res = await request(h.app).get('/v1/sso/login').query({ connection: 'con_any' }).set('Host', suspended.host);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('tenant_suspended');
    expect((await h.auditActions(suspended)).map((a) => a.action)).toContain('sso.refused.tenant_suspended');
    expect(await h.userCount(suspended)).toBe(0);
  });
});
