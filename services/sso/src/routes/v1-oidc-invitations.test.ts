import request from 'supertest';
import { freePort } from '@mindbot/testing';
import { completeIdpLogin, startOidcIdp, type IdpAccount, type TestOidcIdp } from '@mindbot/testing/oidc-idp';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

describe('signing in through the tenant’s IdP with an invited email', () => {
  let h: SsoHarness;
  let tenant: TestTenant;
  let idp: TestOidcIdp;
  let connectionId: string;
  const accounts: Record<string, IdpAccount> = {
    olive: { email: 'olive@acme.test', name: 'Olive', groups: ['eng-admins'] },
  };

  beforeAll(async () => {
    h = await startSsoHarness();
    tenant = await h.tenant('jit-invite');
    const port = await freePort();
    const owner = await h.tokenFor(tenant, ['owner']);
    const res = await request(h.app)
      .post('/v1/sso/connections')
      .set({ Host: tenant.host, Authorization: `Bearer ${owner}` })
      .send({
        kind: 'oidc',
        name: 'corp',
        settings: {
          issuer: `http://127.0.0.1:${port}`,
          clientId: 'client-corp',
          idTokenAlgorithm: 'RS256',
          scopes: 'openid email profile groups',
        },
        secrets: { clientSecret: 'secret-corp-0123456789' },
        roleRules: [{ group: 'eng-admins', role: 'admin' }],
      })
      .expect(201);
    connectionId = res.body.id as string;
    idp = await startOidcIdp({
      port,
      accounts,
      clients: [{ clientId: 'client-corp', clientSecret: 'secret-corp-0123456789', redirectUris: [res.body.oidc.redirectUri as string] }],
    });
    await request(h.app)
      .post('/v1/invitations')
      .set({ Host: tenant.host, Authorization: `Bearer ${owner}` })
      .send({ email: 'olive@acme.test', roles: ['owner'] })
      .expect(201);
  });

  afterAll(async () => {
    await idp.close();
    await h.close();
  });

  async function signIn(login: string): Promise<string[]> {
    const start = await request(h.app).get('/v1/sso/login').query({ connection: connectionId }).set('Host', tenant.host).expect(302);
    const back = await completeIdpLogin(start.headers.location as string, login, { redirectPrefix: tenant.origin });
    const res = await request(h.app).get(`${back.pathname}${back.search}`).set('Host', tenant.host);
    expect(res.status).toBe(200);
    const me = await request(h.app)
      .get('/v1/auth/me')
      .set({ Host: tenant.host, Authorization: `Bearer ${String(res.body.access_token)}` })
      .expect(200);
    return me.body.roles as string[];
  }

  it('gets the invitation’s roles and uses it up; the granted role outlives the IdP’s role refresh at the next sign-ins', async () => {
    expect(await signIn('olive')).toEqual(['admin', 'member', 'owner']);
    const invitations = await h.deps.tenants.forTenant(tenant.slug).transaction((tx) => tx.invitation.findMany());
    expect(invitations.map((i) => i.status)).toEqual(['accepted']);
    expect((await h.auditActions(tenant)).map((a) => a.action)).toContain('invitation.accepted');

    // The IdP drops the group: the role it gave goes, the invited one stays.
    accounts.olive = { email: 'olive@acme.test', name: 'Olive', groups: [] };
    expect(await signIn('olive')).toEqual(['member', 'owner']);
    expect(await signIn('olive')).toEqual(['member', 'owner']);
  });
});
