import request from 'supertest';
import {
  connectionListSchema,
  connectionSchema,
  domainListSchema,
  domainSchema,
  jwksSchema,
  meSchema,
  passwordResetAcceptedSchema,
  sessionsRevokedSchema,
  tokenResponseSchema,
} from '@mindbot/sdk/schemas';
import type { z } from 'zod';
import { TestSamlIdp } from '@mindbot/testing/saml-idp';
import { startTestDns, type TestDns } from '@mindbot/testing/test-dns';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

/**
 * Real answers of SSO's public routes, parsed with the schemas the gateway publishes in /openapi.json
 * and the SDK parses with (the same objects, from @mindbot/sdk/schemas): a field SSO renames, drops
 * or sends with another type fails here. (The sign-in answers through the IdPs are parsed by the SDK
 * in the gateway's sign-in tests.)
 */
describe('sso: answers match their documented response schemas', () => {
  let h: SsoHarness;
  let tenant: TestTenant;
  let admin: string;
  let dns: TestDns;

  beforeAll(async () => {
    dns = await startTestDns();
    h = await startSsoHarness({ env: { SSO_DNS_SERVERS: dns.server } });
    tenant = await h.tenant('schemas');
    admin = `Bearer ${await h.tokenFor(tenant, ['admin'])}`;
  });

  afterAll(async () => {
    await h.close();
    await dns.close();
  });

  function issuesOf(res: request.Response, status: number, schema: z.ZodType): unknown[] {
    expect([res.status, res.headers['content-type']]).toEqual([status, expect.stringMatching(/^application\/json/)]);
    const parsed = schema.safeParse(res.body);
    return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  }

  const as = (method: 'get' | 'post' | 'patch', path: string, credential?: string) => {
    const req = request(h.app)[method](path).set('Host', tenant.host);
    return credential ? req.set('Authorization', credential) : req;
  };

  it('connections (OIDC and SAML) and email domains, as an admin manages them', async () => {
    const oidc = await as('post', '/v1/sso/connections', admin).send({
      kind: 'oidc',
      name: 'okta',
      settings: { issuer: 'https://idp.corp.test', clientId: 'client' },
      secrets: { clientSecret: 'secret-value-123' },
      roleRules: [{ group: 'admins', role: 'admin' }],
    });
    expect(issuesOf(oidc, 201, connectionSchema)).toEqual([]);
    expect(connectionSchema.parse(oidc.body)).toMatchObject({
      kind: 'oidc',
      secretsSet: ['clientSecret'],
      oidc: { redirectUri: expect.stringContaining('/callback') },
    });
    const saml = await as('post', '/v1/sso/connections', admin).send({
      kind: 'saml',
      name: 'adfs',
      metadataXml: new TestSamlIdp('schemas').metadataXml(),
    });
    expect(issuesOf(saml, 201, connectionSchema)).toEqual([]);
    expect(connectionSchema.parse(saml.body)).toMatchObject({ kind: 'saml', saml: { acsUrl: expect.stringContaining('/acs') } });

    const id = String(oidc.body.id);
    expect(issuesOf(await as('get', `/v1/sso/connections/${id}`, admin), 200, connectionSchema)).toEqual([]);
    const renamed = await as('patch', `/v1/sso/connections/${id}`, admin).send({ name: 'okta-eu', status: 'disabled' });
    expect(issuesOf(renamed, 200, connectionSchema)).toEqual([]);
    const list = await as('get', '/v1/sso/connections', admin);
    expect(issuesOf(list, 200, connectionListSchema)).toEqual([]);
    expect(
      connectionListSchema
        .parse(list.body)
        .connections.map((c) => c.kind)
        .sort(),
    ).toEqual(['oidc', 'saml']);

    const claimed = await as('post', '/v1/sso/domains', admin).send({ domain: 'schemas.example', connectionId: id });
    expect(issuesOf(claimed, 201, domainSchema)).toEqual([]);
    dns.records.set('_mindbot-verification.schemas.example', domainSchema.parse(claimed.body).txtRecord.value);
    const verified = await as('post', '/v1/sso/domains/schemas.example/verify', admin);
    expect(issuesOf(verified, 200, domainSchema)).toEqual([]);
    expect(domainSchema.parse(verified.body).verifiedAt).toEqual(expect.any(String));
    const domains = await as('get', '/v1/sso/domains', admin);
    expect(issuesOf(domains, 200, domainListSchema)).toEqual([]);
    expect(domainListSchema.parse(domains.body).data).toHaveLength(1);
  });

  it('password sign-in, refresh, me, reset request, session revocation and the JWKS', async () => {
    const registered = await as('post', '/v1/auth/password/register').send({
      email: 'schema@corp.test',
      password: 'a long enough passphrase 42',
      displayName: 'Schema',
    });
    expect(issuesOf(registered, 201, tokenResponseSchema)).toEqual([]);
    const login = await as('post', '/v1/auth/password/login').send({ email: 'schema@corp.test', password: 'a long enough passphrase 42' });
    expect(issuesOf(login, 200, tokenResponseSchema)).toEqual([]);
    const tokens = tokenResponseSchema.parse(login.body);
    const refreshed = await as('post', '/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(issuesOf(refreshed, 200, tokenResponseSchema)).toEqual([]);

    const me = await as('get', '/v1/auth/me', `Bearer ${tokens.access_token}`);
    expect(issuesOf(me, 200, meSchema)).toEqual([]);
    expect(meSchema.parse(me.body)).toMatchObject({ email: 'schema@corp.test', displayName: 'Schema', tenant: tenant.slug });

    const reset = await as('post', '/v1/auth/password/reset-request').send({ email: 'schema@corp.test' });
    expect(issuesOf(reset, 202, passwordResetAcceptedSchema)).toEqual([]);

    const revoked = await as('post', `/v1/users/${meSchema.parse(me.body).id}/sessions/revoke`, admin);
    expect(issuesOf(revoked, 200, sessionsRevokedSchema)).toEqual([]);
    expect(sessionsRevokedSchema.parse(revoked.body).sessionsEnded).toBe(2);

    const jwks = await request(h.app).get('/.well-known/jwks.json');
    expect(issuesOf(jwks, 200, jwksSchema)).toEqual([]);
    expect(jwksSchema.parse(jwks.body).keys.map((k) => k.kid)).toEqual(['k-current', 'k-next']);
  });
});
