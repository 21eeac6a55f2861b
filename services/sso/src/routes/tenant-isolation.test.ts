import { decodeJwt } from 'jose';
import request from 'supertest';
import { newId } from '@mindbot/ids';
import { describeTenantIsolation } from '@mindbot/testing';
import { TestSamlIdp } from '@mindbot/testing/saml-idp';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

// Tenant B (its admin, on B's host; or B's users and IdPs calling B's host) naming tenant A's
// connections, domains and users.

interface Ids {
  connectionId: string;
  samlConnectionId: string;
  domain: string;
  userId: string;
  invitationId: string;
  /** The token of the invitation's link (its mail went to the log: the harness has no SMTP_URL). */
  invitationToken: string;
}

/** The link token in the last mail to `email` that the service wrote to its log. */
function mailedToken(logs: Record<string, unknown>[], email: string): string {
  const mail = logs
    .map((line) => line.mail as { to?: string; text?: string } | undefined)
    .filter((m) => m?.to === email)
    .at(-1);
  return /token=([^\s&]+)/.exec(mail?.text ?? '')?.[1] ?? '';
}

let h: SsoHarness;
let a: TestTenant;
let b: TestTenant;
let adminOfB: string;
let aliveInA: string;
const asB = () => ({ Host: b.host, Authorization: `Bearer ${adminOfB}` });

describeTenantIsolation<Ids>({
  service: 'sso',
  async setup() {
    h = await startSsoHarness();
    a = await h.tenant('iso-a');
    b = await h.tenant('iso-b');
    const asA = { Host: a.host, Authorization: `Bearer ${await h.tokenFor(a, ['admin'])}` };
    adminOfB = await h.tokenFor(b, ['admin']);
    const oidc = await request(h.app)
      .post('/v1/sso/connections')
      .set(asA)
      .send({
        kind: 'oidc',
        name: 'a-oidc',
        settings: { issuer: 'https://idp.a.test', clientId: 'a-client' },
        secrets: { clientSecret: 'a-secret-value' },
      });
    const saml = await request(h.app)
      .post('/v1/sso/connections')
      .set(asA)
      .send({ kind: 'saml', name: 'a-saml', metadataXml: new TestSamlIdp('iso-a').metadataXml() });
    const domain = await request(h.app)
      .post('/v1/sso/domains')
      .set(asA)
      .send({ domain: 'a-corp.test', connectionId: oidc.body.id as string });
    expect([oidc.status, saml.status, domain.status]).toEqual([201, 201, 201]);
    const invitation = await request(h.app)
      .post('/v1/invitations')
      .set(asA)
      .send({ email: 'invitee@a-corp.test', roles: ['member'] });
    expect(invitation.status).toBe(201);
    aliveInA = await h.tokenFor(a, ['member']);
    const ofA = {
      connectionId: oidc.body.id as string,
      samlConnectionId: saml.body.id as string,
      domain: 'a-corp.test',
      userId: decodeJwt(aliveInA).sub ?? '',
      invitationId: invitation.body.id as string,
      invitationToken: decodeURIComponent(mailedToken(h.logs, 'invitee@a-corp.test')),
    };
    expect(ofA.userId).not.toBe('');
    expect(ofA.invitationToken).toMatch(/^mbi_/);
    return {
      app: h.app,
      ofA,
      missing: {
        connectionId: newId('connection'),
        samlConnectionId: newId('connection'),
        domain: 'never-claimed.test',
        userId: newId('user'),
        invitationId: newId('invitation'),
        invitationToken: 'mbi_never-issued-token-of-the-same-shape-0000000000000',
      },
    };
  },
  teardown: () => h.close(),
  byId: {
    'GET /v1/sso/connections/:id': ({ connectionId }) => request(h.app).get(`/v1/sso/connections/${connectionId}`).set(asB()),
    'PATCH /v1/sso/connections/:id': ({ connectionId }) =>
      request(h.app).patch(`/v1/sso/connections/${connectionId}`).set(asB()).send({ status: 'disabled', name: 'taken over' }),
    'DELETE /v1/sso/connections/:id': ({ connectionId }) => request(h.app).delete(`/v1/sso/connections/${connectionId}`).set(asB()),
    'POST /v1/sso/connections/:id/test': ({ connectionId }) =>
      request(h.app).post(`/v1/sso/connections/${connectionId}/test`).set(asB()).send({}),
    'POST /v1/sso/domains (connectionId in the body)': ({ connectionId }) =>
      request(h.app).post('/v1/sso/domains').set(asB()).send({ domain: 'b-corp.test', connectionId }),
    'POST /v1/sso/domains/:domain/verify': ({ domain }) => request(h.app).post(`/v1/sso/domains/${domain}/verify`).set(asB()),
    'POST /v1/users/:userId/sessions/revoke': ({ userId }) => request(h.app).post(`/v1/users/${userId}/sessions/revoke`).set(asB()),
    'POST /v1/users/:userId/block': ({ userId }) => request(h.app).post(`/v1/users/${userId}/block`).set(asB()),
    'POST /v1/users/:userId/unblock': ({ userId }) => request(h.app).post(`/v1/users/${userId}/unblock`).set(asB()),
    'PUT /v1/users/:userId/roles': ({ userId }) =>
      request(h.app)
        .put(`/v1/users/${userId}/roles`)
        .set(asB())
        .send({ roles: ['admin'] }),
    'DELETE /v1/users/:userId': ({ userId }) => request(h.app).delete(`/v1/users/${userId}`).set(asB()),
    'GET /v1/users/:userId/export': ({ userId }) => request(h.app).get(`/v1/users/${userId}/export`).set(asB()),
    'POST /v1/users/:userId/erasure': ({ userId }) =>
      request(h.app).post(`/v1/users/${userId}/erasure`).set(asB()).send({ confirm: userId }),
    'DELETE /v1/invitations/:invitationId': ({ invitationId }) => request(h.app).delete(`/v1/invitations/${invitationId}`).set(asB()),
    'POST /v1/invitations/preview (token in the body)': ({ invitationToken }) =>
      request(h.app).post('/v1/invitations/preview').set('Host', b.host).send({ token: invitationToken }),
    'POST /v1/invitations/accept (token in the body)': ({ invitationToken }) =>
      request(h.app)
        .post('/v1/invitations/accept')
        .set('Host', b.host)
        .send({ token: invitationToken, password: 'a long enough passphrase' }),
    'GET /v1/sso/login (connection in the query)': ({ connectionId }) =>
      request(h.app).get('/v1/sso/login').query({ connection: connectionId }).set('Host', b.host),
    'GET /v1/sso/saml/:connectionId/metadata': ({ samlConnectionId }) =>
      request(h.app).get(`/v1/sso/saml/${samlConnectionId}/metadata`).set('Host', b.host),
    'POST /v1/sso/saml/:connectionId/acs': ({ samlConnectionId }) =>
      request(h.app)
        .post(`/v1/sso/saml/${samlConnectionId}/acs`)
        .set('Host', b.host)
        .type('form')
        .send({ SAMLResponse: Buffer.from('<samlp:Response/>').toString('base64') }),
    'ALL /v1/sso/saml/:connectionId/slo': ({ samlConnectionId }) =>
      request(h.app).get(`/v1/sso/saml/${samlConnectionId}/slo`).query({ SAMLRequest: 'x' }).set('Host', b.host),
    'GET /v1/sso/oidc/:connectionId/callback': ({ connectionId }) =>
      request(h.app).get(`/v1/sso/oidc/${connectionId}/callback`).query({ code: 'c', state: 's' }).set('Host', b.host),
  },
  // A connection named in a body that is not B's is invalid input, exactly like one that does not exist.
  foreignStatus: (route) => (route.startsWith('POST /v1/sso/domains (') ? 400 : 404),
  lists: {
    'GET /v1/sso/connections': () => request(h.app).get('/v1/sso/connections').set(asB()),
    'GET /v1/sso/domains': () => request(h.app).get('/v1/sso/domains').set(asB()),
    'GET /v1/users': () => request(h.app).get('/v1/users').set(asB()),
    'GET /v1/invitations': () => request(h.app).get('/v1/invitations').set(asB()),
  },
  exempt: {
    'POST /v1/sso/idp-metadata': 'fetches a URL the admin gives and stores nothing: no tenant resource is named',
    'POST /internal/v1/tenants/:tenant/owners/invite':
      "the platform's call with its service token, naming the tenant in the path; no tenant's user or admin credential opens it",
  },
  markersOf: ({ connectionId, samlConnectionId, domain, userId, invitationId }) => [
    connectionId,
    samlConnectionId,
    domain,
    userId,
    invitationId,
    'a-oidc',
    'a-saml',
  ],
  snapshotOfA: async () => ({
    ofA: await h.deps.tenants.forTenant(a.slug).transaction(async (tx) => ({
      connections: await tx.ssoConnection.findMany({ orderBy: { id: 'asc' } }),
      domains: await tx.ssoDomain.findMany({ orderBy: { domain: 'asc' } }),
      sessions: await tx.authSession.findMany({ orderBy: { id: 'asc' }, select: { id: true, revokedAt: true } }),
      users: await tx.user.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true } }),
      roles: await tx.userRole.findMany({ orderBy: [{ userId: 'asc' }, { roleId: 'asc' }], select: { userId: true, roleId: true } }),
      invitations: await tx.invitation.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true } }),
    })),
    // Nothing of A's may be copied into B either (e.g. a domain claimed with A's connection).
    domainsOfB: await h.deps.tenants.forTenant(b.slug).transaction((tx) => tx.ssoDomain.count()),
    usersOfB: await h.deps.tenants.forTenant(b.slug).transaction((tx) => tx.user.count({ where: { email: 'invitee@a-corp.test' } })),
  }),
  alsoProve: () => {
    it("refuses tenant A's token on tenant B's host, and A's session stays live", async () => {
      const res = await request(h.app)
        .get('/v1/sso/connections')
        .set({ Host: b.host, Authorization: `Bearer ${aliveInA}` });
      expect(res.status).toBe(401);
      const me = await request(h.app)
        .get('/v1/auth/me')
        .set({ Host: a.host, Authorization: `Bearer ${aliveInA}` });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(decodeJwt(aliveInA).sub);
    });
  },
});
