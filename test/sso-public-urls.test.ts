import { inflateRawSync } from 'node:zlib';
import request from 'supertest';
import { connectionSchema } from '@mindbot/sdk/schemas';
import type { RunningServer } from '@mindbot/http';
import type { TestTenant } from '@mindbot/sso/testing/sso-harness';
import { hostFetch, startSsoBehindGateway, type SsoBehindGateway } from './support/sso-behind-gateway.js';
import { startGatewayHarness, type GatewayHarness } from '../services/gateway/src/testing/harness.js';

// The URLs an admin puts into an IdP, and those the IdP is sent to, are the ones the platform was
// reached at: through the real gateway on a port that is not the scheme's default, SSO behind it.
describe('SSO URLs handed out through the gateway keep the scheme, host and port the platform is reached at', () => {
  let env: SsoBehindGateway;
  let tenant: TestTenant;
  let other: TestTenant;
  let baseUrl: string;
  let admin: string;
  /** A gateway that trusts no proxy (TRUST_PROXY=false), in front of the same SSO. */
  let direct: GatewayHarness;
  let directServer: RunningServer;

  /** GET a connection through the gateway, as a client at `at` would (hostFetch forwards its host and port). */
  const connection = async (at: string, id: string) => {
    const res = await hostFetch(`${at}/v1/sso/connections/${id}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    return connectionSchema.parse(await res.json());
  };

  /** The same through a TLS-terminating proxy the gateway trusts: it forwards the client's host (with port) and https. */
  const connectionOverTls = async (forwardedHost: string, id: string) => {
    const res = await fetch(`http://127.0.0.1:${env.port}/v1/sso/connections/${id}`, {
      headers: { authorization: `Bearer ${admin}`, 'x-forwarded-host': forwardedHost, 'x-forwarded-proto': 'https' },
    });
    expect(res.status).toBe(200);
    return connectionSchema.parse(await res.json());
  };

  const redirectUriOf = (view: ReturnType<typeof connectionSchema.parse>) => (view.kind === 'oidc' ? view.oidc.redirectUri : undefined);
  const samlEndpointsOf = (view: ReturnType<typeof connectionSchema.parse>) => (view.kind === 'saml' ? view.saml : undefined);

  beforeAll(async () => {
    env = await startSsoBehindGateway({ prefix: 'sso-urls', accounts: { alice: { email: 'alice@corp.test', name: 'Alice', groups: [] } } });
    ({ tenant, baseUrl } = env);
    other = await env.addTenant('sso-urls-other');
    admin = await env.sso.tokenFor(tenant, ['admin']);
    direct = await startGatewayHarness({
      database: env.gateway.database,
      ssoUrl: env.gateway.gateway.upstreams.sso.href,
      auth: {
        jwks: new URL('/.well-known/jwks.json', env.gateway.gateway.upstreams.sso),
        issuer: 'https://sso.test.mindbot',
        audience: 'mindbot-platform',
      },
      trustProxy: false,
    });
    directServer = await direct.listen();
  });

  afterAll(async () => {
    await direct.close();
    await env.close();
  });

  it('answers the OIDC redirect URI and the SAML entity, ACS, SLO and metadata URLs on the port the admin reached the gateway at', async () => {
    expect(baseUrl).toMatch(/^http:\/\/[a-z0-9-]+\.localhost:\d+$/);
    expect(new URL(baseUrl).port).not.toBe('');
    // As answered when the connections were created through the gateway, and when read back.
    expect(env.oidc.redirectUri).toBe(`${baseUrl}/v1/sso/oidc/${env.oidc.id}/callback`);
    const saml = `${baseUrl}/v1/sso/saml/${env.saml.id}`;
    expect(env.saml.sp).toEqual({ entityId: saml, acsUrl: `${saml}/acs`, sloUrl: `${saml}/slo`, metadataUrl: `${saml}/metadata` });
    expect(redirectUriOf(await connection(baseUrl, env.oidc.id))).toBe(env.oidc.redirectUri);
    expect(samlEndpointsOf(await connection(baseUrl, env.saml.id))).toEqual(env.saml.sp);
  });

  it('serves SAML metadata whose entity ID and endpoints carry the port', async () => {
    const metadataUrl = samlEndpointsOf(await connection(baseUrl, env.saml.id))?.metadataUrl ?? '';
    expect(metadataUrl).toBe(`${baseUrl}/v1/sso/saml/${env.saml.id}/metadata`);
    const res = await hostFetch(metadataUrl);
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain(`entityID="${env.saml.sp.entityId}"`);
    expect(xml).toContain(`Location="${env.saml.sp.acsUrl}"`);
    expect(xml).toContain(`Location="${env.saml.sp.sloUrl}"`);
    expect(xml).not.toMatch(/Location="http:\/\/[^":]+\/v1/);
  });

  it('sends the IdPs to callback URLs on that port: the OIDC redirect_uri and the SAML AssertionConsumerServiceURL', async () => {
    const oidc = await hostFetch(`${baseUrl}/v1/sso/login?connection=${env.oidc.id}`, { redirect: 'manual' });
    expect(oidc.status).toBe(302);
    expect(new URL(oidc.headers.get('location') ?? '').searchParams.get('redirect_uri')).toBe(env.oidc.redirectUri);

    const saml = await hostFetch(`${baseUrl}/v1/sso/login?connection=${env.saml.id}`, { redirect: 'manual' });
    expect(saml.status).toBe(302);
    const authnRequest = inflateRawSync(
      Buffer.from(new URL(saml.headers.get('location') ?? '').searchParams.get('SAMLRequest') ?? '', 'base64'),
    ).toString('utf8');
    expect(authnRequest).toContain(`AssertionConsumerServiceURL="${env.saml.sp.acsUrl}"`);
    expect(authnRequest).toContain(`Destination="${env.samlIdp.ssoUrl}"`);
  });

  it('keeps https and its port when a proxy the gateway trusts (TRUST_PROXY) says the client came over TLS', async () => {
    expect(redirectUriOf(await connectionOverTls(`${tenant.host}:8443`, env.oidc.id))).toBe(
      `https://${tenant.host}:8443/v1/sso/oidc/${env.oidc.id}/callback`,
    );
    expect(samlEndpointsOf(await connectionOverTls(`${tenant.host}:443`, env.saml.id))?.acsUrl).toBe(
      `https://${tenant.host}/v1/sso/saml/${env.saml.id}/acs`,
    );
  });

  it('does not use an X-Forwarded-Host or X-Forwarded-Proto a client sends to a gateway that trusts no proxy', async () => {
    const port = new URL(directServer.url).port;
    const res = await request(directServer.url)
      .get(`/v1/sso/connections/${env.oidc.id}`)
      .set('Host', `${tenant.host}:${port}`)
      .set('X-Forwarded-Host', `${other.host}:4444`)
      .set('X-Forwarded-Proto', 'https')
      .set('Authorization', `Bearer ${admin}`);
    expect(res.status).toBe(200);
    expect(redirectUriOf(connectionSchema.parse(res.body))).toBe(`http://${tenant.host}:${port}/v1/sso/oidc/${env.oidc.id}/callback`);
  });
});
