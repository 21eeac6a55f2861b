import { MindBotApiError, MindBotClient } from '@mindbot/sdk';
import type { RunningServer } from '@mindbot/http';
import { uniqueSlug } from '@mindbot/testing';
import { startGatewayHarness, type GatewayHarness } from './testing/harness.js';

// The SDK against the real gateway over HTTP: the tenant is named by the host (`<slug>.localhost`
// resolves to loopback), the answers are parsed with the server's own schemas.
describe('@mindbot/sdk against the gateway', () => {
  let h: GatewayHarness;
  let server: RunningServer;
  let tenant: string;
  let baseUrl: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    server = await h.listen();
    tenant = uniqueSlug('sdk');
    await h.provision(tenant);
    baseUrl = `http://${tenant}.localhost:${new URL(server.url).port}`;
  });

  afterAll(async () => {
    await h.close();
  });

  const hostFetch: typeof fetch = (input, init) => {
    // Node's fetch resolves *.localhost through DNS; send to loopback with the tenant's Host instead.
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers = new Headers(init?.headers);
    headers.set('x-forwarded-host', url.host);
    url.hostname = '127.0.0.1';
    return fetch(url, { ...init, headers });
  };

  it('reads branding anonymously and manages API keys as an admin, typed end to end', async () => {
    const trusted = await startGatewayHarness({ database: h.database, issuer: h.issuer, trustProxy: 'loopback' });
    const trustedServer = await trusted.listen();
    try {
      const url = `http://${tenant}.localhost:${new URL(trustedServer.url).port}`;
      const admin = new MindBotClient({ baseUrl: url, credential: await h.token(tenant, 'usr_admin', ['owner']), fetch: hostFetch });
      expect((await admin.branding()).tenant).toBe(tenant);
      const created = await admin.createApiKey({ name: 'sdk', permissions: ['api-keys:read'] });
      expect(created.key).toMatch(/^mb_live_/);
      const asKey = new MindBotClient({ baseUrl: url, credential: created.key, fetch: hostFetch });
      expect((await asKey.listApiKeys()).map((k) => k.id)).toContain(created.apiKey.id);
      await admin.revokeApiKey(created.apiKey.id);
      const refused = await asKey.listApiKeys().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(MindBotApiError);
      expect(refused instanceof MindBotApiError ? [refused.status, refused.code] : []).toEqual([401, 'unauthenticated']);
    } finally {
      await trusted.close();
    }
  });

  it('raises the problem document of a refusal', async () => {
    const member = new MindBotClient({ baseUrl, credential: await h.token(tenant, 'usr_m', ['member']), fetch: hostFetch });
    // Without a trusted proxy the forwarded host is ignored: the loopback host names no tenant.
    const error = await member.branding().catch((e: unknown) => e);
    expect(error instanceof MindBotApiError ? [error.status, error.code] : []).toEqual([404, 'not_found']);
  });
});
