import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { TestSamlIdp } from '@mindbot/testing/saml-idp';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

interface FieldProblem {
  path: string;
  message: string;
}

describe('connection management API: read, list, delete, validation, metadata URL, sealed secrets, roles', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let idp: TestSamlIdp;
  let metadataServer: Server;
  let metadataUrl: string;
  let metadataHits = 0;
  let admin: string;

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('acme');
    idp = new TestSamlIdp('acme');
    const metadata = idp.metadataXml();
    metadataServer = createServer((req, res) => {
      if (req.url === '/idp/metadata.xml') {
        metadataHits += 1;
        res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml' }).end(metadata);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => metadataServer.listen(0, '127.0.0.1', resolve));
    metadataUrl = `http://127.0.0.1:${(metadataServer.address() as AddressInfo).port}/idp/metadata.xml`;
    admin = await h.tokenFor(acme, ['admin']);
  });

  afterAll(async () => {
    await h.close();
    await new Promise<void>((resolve) => metadataServer.close(() => resolve()));
  });

  const as = (token: string) => ({ Host: acme.host, Authorization: `Bearer ${token}` });
  const oidcBody = (name: string, clientSecret = 'oidc-client-secret-value-42') => ({
    kind: 'oidc',
    name,
    settings: { issuer: 'https://idp.corp.test', clientId: 'client-1' },
    secrets: { clientSecret },
    roleRules: [{ group: 'corp-admins', role: 'admin' }],
  });
  const create = (body: Record<string, unknown>, token = admin) => request(h.app).post('/v1/sso/connections').set(as(token)).send(body);
  const rowCount = () => h.deps.tenants.forTenant(acme.slug).transaction((tx) => tx.ssoConnection.count());
  const pathsOf = (res: request.Response) => ((res.body as { errors?: FieldProblem[] }).errors ?? []).map((e) => e.path);

  it('reads one connection and lists them all with settings, the SP URLs and the names of set secrets', async () => {
    const created = await create(oidcBody('corp'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.location).toBe(`/v1/sso/connections/${id}`);

    const one = await request(h.app).get(`/v1/sso/connections/${id}`).set(as(admin));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      id,
      kind: 'oidc',
      name: 'corp',
      status: 'active',
      settings: { issuer: 'https://idp.corp.test', clientId: 'client-1', idTokenAlgorithm: 'RS256' },
      secretsSet: ['clientSecret'],
      roleRules: [{ group: 'corp-admins', role: 'admin' }],
      defaultRoles: ['member'],
      oidc: { redirectUri: `${acme.origin}/v1/sso/oidc/${id}/callback` },
    });

    const second = await create({ kind: 'saml', name: 'corp-saml', metadataXml: idp.metadataXml() });
    expect(second.status).toBe(201);
    const list = await request(h.app).get('/v1/sso/connections').set(as(admin));
    expect(list.status).toBe(200);
    // Named for what it lists, like every other list of the API ({ packages }, { purchases }, { apiKeys }).
    expect(Object.keys(list.body as object)).toEqual(['connections']);
    const listed = list.body.connections as { id: string; name: string; kind: string }[];
    expect(listed.map((c) => [c.id, c.kind])).toEqual(
      expect.arrayContaining([
        [id, 'oidc'],
        [second.body.id, 'saml'],
      ]),
    );
  });

  it('stores secrets sealed in the database and never returns them in any response', async () => {
    const secret = 'plaintext-secret-that-must-not-leak-9f3c';
    const created = await create(oidcBody('sealed', secret));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const row = await h.deps.tenants.forTenant(acme.slug).transaction((tx) => tx.ssoConnection.findUnique({ where: { id } }));
    expect(row?.secrets).toEqual(expect.any(String));
    expect(row?.secrets).not.toContain(secret);
    expect(row?.secrets).not.toContain(Buffer.from(secret).toString('base64'));
    expect(JSON.stringify(row?.settings)).not.toContain(secret);

    const responses = [
      created,
      await request(h.app).get(`/v1/sso/connections/${id}`).set(as(admin)),
      await request(h.app).get('/v1/sso/connections').set(as(admin)),
      await request(h.app).patch(`/v1/sso/connections/${id}`).set(as(admin)).send({ name: 'sealed-renamed' }),
    ];
    for (const res of responses) {
      expect(res.status).toBeLessThan(300);
      expect(res.text).not.toContain(secret);
    }
    // The sealed value still opens for the service itself: the secret was kept, not dropped.
    const opened = await h.deps.tenants.forTenant(acme.slug).transaction((tx) => h.sso.connections.find(tx, acme.slug, id));
    expect(opened?.kind === 'oidc' ? opened.secrets.clientSecret : undefined).toBe(secret);
  });

  it('creates a SAML connection from a metadata URL served by the IdP', async () => {
    const before = metadataHits;
    const created = await create({ kind: 'saml', name: 'from-url', metadataUrl, settings: { allowIdpInitiated: true } });
    expect(created.status).toBe(201);
    expect(metadataHits).toBe(before + 1);
    expect(created.body.settings).toMatchObject({ idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl, allowIdpInitiated: true });
    expect(created.body.settings.idpCertificates).toEqual([idp.keys.certBase64]);
    expect(created.body.saml.acsUrl).toBe(`${acme.origin}/v1/sso/saml/${created.body.id as string}/acs`);

    const login = await request(h.app)
      .get('/v1/sso/login')
      .query({ connection: created.body.id as string })
      .set('Host', acme.host);
    expect(login.status).toBe(302);
    expect(String(login.headers.location).startsWith(idp.ssoUrl)).toBe(true);
  });

  it('refuses a metadata URL that does not answer metadata with a 400 naming metadataUrl, creating nothing', async () => {
    const before = await rowCount();
    const res = await create({ kind: 'saml', name: 'bad-url', metadataUrl: metadataUrl.replace('metadata.xml', 'missing.xml') });
    expect(res.status).toBe(400);
    expect(pathsOf(res)).toContain('body.metadataUrl');
    expect(await rowCount()).toBe(before);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['an unknown kind', { kind: 'ldap', name: 'x' }, ['body.kind']],
    [
      'a missing name and an OIDC issuer that is not a URL',
      { kind: 'oidc', settings: { issuer: 'not a url', clientId: 'c' }, secrets: { clientSecret: 's' } },
      ['body.name', 'body.settings.issuer'],
    ],
    [
      'an OIDC connection without its client secret',
      { kind: 'oidc', name: 'x', settings: { issuer: 'https://idp.corp.test', clientId: 'c' }, secrets: {} },
      ['body.secrets.clientSecret'],
    ],
    [
      'an unexpected ID-token algorithm',
      {
        kind: 'oidc',
        name: 'x',
        settings: { issuer: 'https://idp.corp.test', clientId: 'c', idTokenAlgorithm: 'none' },
        secrets: { clientSecret: 's' },
      },
      ['body.settings.idTokenAlgorithm'],
    ],
    [
      'a SAML connection without IdP settings or metadata',
      { kind: 'saml', name: 'x' },
      ['body.settings.idpEntityId', 'body.settings.idpSsoUrl', 'body.settings.idpCertificates'],
    ],
    [
      'a SAML certificate that is not one',
      { kind: 'saml', name: 'x', settings: { idpEntityId: 'e', idpSsoUrl: 'https://idp.test/sso', idpCertificates: ['hello'] } },
      ['body.settings.idpCertificates.0'],
    ],
    [
      'OIDC scopes that leave out openid',
      {
        kind: 'oidc',
        name: 'x',
        settings: { issuer: 'https://idp.corp.test', clientId: 'c', scopes: ['email', 'profile'] },
        secrets: { clientSecret: 's' },
      },
      ['body.settings.scopes'],
    ],
    [
      'an array item holding two scopes',
      {
        kind: 'oidc',
        name: 'x',
        settings: { issuer: 'https://idp.corp.test', clientId: 'c', scopes: ['openid', 'email profile'] },
        secrets: { clientSecret: 's' },
      },
      ['body.settings.scopes'],
    ],
    [
      'OIDC scopes as a string that does not start with openid',
      {
        kind: 'oidc',
        name: 'x',
        settings: { issuer: 'https://idp.corp.test', clientId: 'c', scopes: 'email openid' },
        secrets: { clientSecret: 's' },
      },
      ['body.settings.scopes'],
    ],
    [
      'an unknown field',
      {
        ...{ kind: 'oidc', name: 'x', settings: { issuer: 'https://idp.corp.test', clientId: 'c' }, secrets: { clientSecret: 's' } },
        extra: true,
      },
      ['body'],
    ],
  ])('refuses %s with a 400 naming the fields, creating nothing', async (_case, body, paths) => {
    const before = await rowCount();
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('validation_failed');
    expect(pathsOf(res)).toEqual(expect.arrayContaining(paths));
    expect(JSON.stringify(res.body)).not.toContain('"s"');
    expect(await rowCount()).toBe(before);
  });

  it('takes OIDC scopes as a space-separated string or as an array of scopes, and stores and answers the string', async () => {
    const created = await create({
      ...oidcBody('scopes-array'),
      settings: { issuer: 'https://idp.corp.test', clientId: 'client-1', scopes: ['email', 'openid', 'groups', 'email'] },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    // openid first, each scope once, in the order given.
    expect(created.body.settings.scopes).toBe('openid email groups');
    const stored = async () => {
      const row = await h.deps.tenants.forTenant(acme.slug).transaction((tx) => tx.ssoConnection.findUniqueOrThrow({ where: { id } }));
      return (row.settings as { scopes?: unknown }).scopes;
    };
    expect(await stored()).toBe('openid email groups');

    const patched = await request(h.app)
      .patch(`/v1/sso/connections/${id}`)
      .set(as(admin))
      .send({ settings: { scopes: ['openid', 'offline_access'] } });
    expect(patched.status).toBe(200);
    expect(patched.body.settings.scopes).toBe('openid offline_access');
    expect(await stored()).toBe('openid offline_access');

    const asString = await request(h.app)
      .patch(`/v1/sso/connections/${id}`)
      .set(as(admin))
      .send({ settings: { scopes: 'openid email' } });
    expect(asString.body.settings.scopes).toBe('openid email');
    const refused = await request(h.app)
      .patch(`/v1/sso/connections/${id}`)
      .set(as(admin))
      .send({ settings: { scopes: ['profile'] } });
    expect(refused.status).toBe(400);
    expect(pathsOf(refused)).toEqual(['body.settings.scopes']);
    expect(await stored()).toBe('openid email');
  });

  it('refuses a PATCH that breaks the settings with a 400 naming the field, changing nothing', async () => {
    const created = await create(oidcBody('patch-me'));
    const id = created.body.id as string;
    const res = await request(h.app)
      .patch(`/v1/sso/connections/${id}`)
      .set(as(admin))
      .send({ settings: { issuer: 'ftp://idp.corp.test' }, status: 'disabled' });
    expect(res.status).toBe(400);
    expect(pathsOf(res)).toContain('body.settings.issuer');
    const after = await request(h.app).get(`/v1/sso/connections/${id}`).set(as(admin));
    expect(after.body).toMatchObject({ status: 'active', settings: { issuer: 'https://idp.corp.test' } });
  });

  it('a disabled connection can no longer start a login, and enabling it again restores it', async () => {
    const created = await create({ kind: 'saml', name: 'toggle', metadataXml: idp.metadataXml() });
    const id = created.body.id as string;
    const login = () => request(h.app).get('/v1/sso/login').query({ connection: id }).set('Host', acme.host);
    expect((await login()).status).toBe(302);

    const disabled = await request(h.app).patch(`/v1/sso/connections/${id}`).set(as(admin)).send({ status: 'disabled' });
    expect(disabled.status).toBe(200);
    expect(disabled.body.status).toBe('disabled');
    const refused = await login();
    expect(refused.status).toBe(403);
    expect(refused.headers.location).toBeUndefined();

    expect((await request(h.app).patch(`/v1/sso/connections/${id}`).set(as(admin)).send({ status: 'active' })).status).toBe(200);
    expect((await login()).status).toBe(302);
  });

  it('deletes a connection: 204, then 404 on read, gone from the list, no login, and a second delete is 404', async () => {
    const created = await create({ kind: 'saml', name: 'doomed', metadataXml: idp.metadataXml() });
    const id = created.body.id as string;
    const deleted = await request(h.app).delete(`/v1/sso/connections/${id}`).set(as(admin));
    expect(deleted.status).toBe(204);

    expect((await request(h.app).get(`/v1/sso/connections/${id}`).set(as(admin))).status).toBe(404);
    const list = await request(h.app).get('/v1/sso/connections').set(as(admin));
    expect((list.body.connections as { id: string }[]).map((c) => c.id)).not.toContain(id);
    const login = await request(h.app).get('/v1/sso/login').query({ connection: id }).set('Host', acme.host);
    expect(login.status).toBe(404);
    expect(login.headers.location).toBeUndefined();
    expect((await request(h.app).delete(`/v1/sso/connections/${id}`).set(as(admin))).status).toBe(404);
    expect((await h.auditActions(acme)).some((a) => a.action === 'sso.connection_deleted')).toBe(true);
  });

  it('answers 403 to a member and 401 without a token on every connection route, changing nothing', async () => {
    const created = await create(oidcBody('guarded'));
    const id = created.body.id as string;
    const member = await h.tokenFor(acme, ['member']);
    const calls: [string, (headers: Record<string, string>) => request.Test][] = [
      ['POST', (headers) => request(h.app).post('/v1/sso/connections').set(headers).send(oidcBody('sneaky'))],
      ['GET list', (headers) => request(h.app).get('/v1/sso/connections').set(headers)],
      ['GET one', (headers) => request(h.app).get(`/v1/sso/connections/${id}`).set(headers)],
      ['PATCH', (headers) => request(h.app).patch(`/v1/sso/connections/${id}`).set(headers).send({ status: 'disabled' })],
      ['DELETE', (headers) => request(h.app).delete(`/v1/sso/connections/${id}`).set(headers)],
    ];
    const before = await rowCount();
    for (const [name, call] of calls) {
      const asMember = await call(as(member));
      expect([name, asMember.status]).toEqual([name, 403]);
      expect(asMember.text).not.toContain('oidc-client-secret');
      const anonymous = await call({ Host: acme.host });
      expect([name, anonymous.status]).toEqual([name, 401]);
      expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect(await rowCount()).toBe(before);
    const after = await request(h.app).get(`/v1/sso/connections/${id}`).set(as(admin));
    expect(after.body).toMatchObject({ name: 'guarded', status: 'active' });
  });
});
