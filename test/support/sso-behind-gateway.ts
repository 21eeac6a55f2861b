import request from 'supertest';
import { createTokenVerifier } from '@mindbot/auth';
import { startServer, type RunningServer } from '@mindbot/http';
import { MindBotApiError } from '@mindbot/sdk';
import { startOidcIdp, type TestOidcIdp } from '@mindbot/testing/oidc-idp';
import { TestSamlIdp, type SpEndpoints } from '@mindbot/testing/saml-idp';
import { startSsoHarness, type SsoHarness, type TestTenant } from '@mindbot/sso/testing/sso-harness';
import { freePort, uniqueSlug } from '@mindbot/testing';
import { startGatewayHarness, type GatewayHarness } from '../../services/gateway/src/testing/harness.js';

export interface SsoBehindGateway {
  gateway: GatewayHarness;
  sso: SsoHarness;
  /** The tenant with an OIDC and a SAML connection. */
  tenant: TestTenant;
  /** The gateway's port, and the tenant's base URL through it. */
  port: string;
  baseUrl: string;
  oidc: { id: string; redirectUri: string };
  saml: { id: string; sp: SpEndpoints };
  oidcIdp: TestOidcIdp;
  samlIdp: TestSamlIdp;
  /** Provisions another tenant in the shared registry. */
  addTenant(prefix: string, domains?: string[]): Promise<TestTenant>;
  close(): Promise<void>;
}

export interface SsoBehindGatewayOptions {
  prefix: string;
  /** The tenant's own domains (none: it is reached at its platform host only). */
  domains?: string[];
  /** People the OIDC IdP knows, by login. */
  accounts: Parameters<typeof startOidcIdp>[0]['accounts'];
  /** Test overrides of the SSO service (e.g. its clock). */
  ssoOverrides?: NonNullable<Parameters<typeof startSsoHarness>[0]>['overrides'];
}

/**
 * The real SSO service behind the real gateway (one platform registry; SSO trusts the gateway's
 * forwarded host), with a certified OpenID Provider (oidc-provider) and samlify as the SAML IdP,
 * each connected to one tenant.
 */
export async function startSsoBehindGateway(options: SsoBehindGatewayOptions): Promise<SsoBehindGateway> {
  const ssoUrl = `http://127.0.0.1:${await freePort()}`;
  const verifier = createTokenVerifier({
    jwks: new URL(`${ssoUrl}/.well-known/jwks.json`),
    issuer: 'https://sso.test.mindbot',
    audience: 'mindbot-platform',
  });
  const gateway = await startGatewayHarness({ trustProxy: 'loopback', ssoUrl, verifier });
  const sso = await startSsoHarness({
    database: gateway.database,
    trustProxy: 'loopback',
    ...(options.ssoOverrides ? { overrides: options.ssoOverrides } : {}),
  });
  const ssoServer: RunningServer = await startServer(sso.app, {
    port: Number(new URL(ssoUrl).port),
    host: '127.0.0.1',
    logger: gateway.log.logger,
    lifecycle: sso.deps.lifecycle,
    shutdownTimeoutMs: 1_000,
  });
  const port = new URL((await gateway.listen()).url).port;
  const addTenant = async (prefix: string, domains: string[] = []): Promise<TestTenant> => {
    const slug = uniqueSlug(prefix);
    await gateway.provision(slug, (manifest) => {
      manifest.spec.domains = domains;
    });
    return { slug, host: `${slug}.localhost`, origin: `http://${slug}.localhost` };
  };
  const tenant = await addTenant(options.prefix, options.domains);

  const admin = await sso.tokenFor(tenant, ['admin']);
  // Through the gateway on its own port, as an admin would: the URLs to give the IdPs carry that port.
  const connect = async (body: Record<string, unknown>) => {
    const res = await request(gateway.app)
      .post('/v1/sso/connections')
      .set('Host', `${tenant.host}:${port}`)
      .set('Authorization', `Bearer ${admin}`)
      .send(body);
    if (res.status !== 201) throw new Error(`connecting ${String(body.kind)}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { id: string; oidc?: { redirectUri: string }; saml?: SpEndpoints };
  };
  const idpPort = await freePort();
  const clientId = `client-${options.prefix}`;
  const clientSecret = `secret-${options.prefix}-0123456789`;
  const created = await connect({
    kind: 'oidc',
    name: 'okta',
    settings: { issuer: `http://127.0.0.1:${idpPort}`, clientId, idTokenAlgorithm: 'RS256', scopes: 'openid email profile groups' },
    secrets: { clientSecret },
  });
  const oidc = { id: created.id, redirectUri: created.oidc?.redirectUri ?? '' };
  const oidcIdp = await startOidcIdp({
    port: idpPort,
    accounts: options.accounts,
    clients: [{ clientId, clientSecret, redirectUris: [oidc.redirectUri] }],
  });
  const samlIdp = new TestSamlIdp(options.prefix);
  const samlConnection = await connect({ kind: 'saml', name: 'adfs', metadataXml: samlIdp.metadataXml() });
  const saml = { id: samlConnection.id, sp: samlConnection.saml ?? { entityId: '', acsUrl: '', sloUrl: '' } };

  return {
    gateway,
    sso,
    tenant,
    port,
    baseUrl: `http://${tenant.host}:${port}`,
    oidc,
    saml,
    oidcIdp,
    samlIdp,
    addTenant,
    async close() {
      await oidcIdp.close();
      await ssoServer.close();
      await sso.close();
      await gateway.close();
    },
  };
}

/** Node's fetch resolves *.localhost through DNS: send to loopback with the tenant's host and port forwarded (a trusted proxy's way). */
export const hostFetch: typeof fetch = (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const headers = new Headers(init?.headers);
  headers.set('x-forwarded-host', url.host);
  url.hostname = '127.0.0.1';
  return fetch(url, { ...init, headers });
};

/** How an SDK call was refused: `[status, code]`, or what happened instead. */
export async function refusal(promise: Promise<unknown>): Promise<[number, string] | string> {
  const error = await promise.then(
    () => 'resolved',
    (e: unknown) => e,
  );
  return error instanceof MindBotApiError ? [error.status, error.code] : String(error);
}
