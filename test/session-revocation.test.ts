import request from 'supertest';
import { newId } from '@mindbot/ids';
import { startServer, type RunningServer } from '@mindbot/http';
import { apiKeyCreatedSchema, apiKeyListSchema } from '@mindbot/sdk/schemas';
import { startSsoHarness, type SsoHarness } from '@mindbot/sso/testing/sso-harness';
import { freePort, uniqueSlug } from '@mindbot/testing';
import { startBillingProcess, type BillingProcess } from '../services/gateway/src/testing/billing-process.js';
import { startGatewayHarness, type GatewayHarness } from '../services/gateway/src/testing/harness.js';

// The real SSO service behind the real gateway, and the real billing service in a process of its own,
// all verifying SSO's tokens through its JWKS: a session that ends (logout, admin revocation,
// refresh-token reuse, a blocked user) must be refused by each of them within a second, without any
// of them asking SSO (docs/adr/0013-session-revocation-list.md).

const ISSUER = 'https://sso.test.mindbot';
const AUDIENCE = 'mindbot-platform';

interface Session {
  userId: string;
  access_token: string;
  refresh_token: string;
  session_id: string;
}

interface Answer {
  status: number;
  type: string;
  code: unknown;
}

describe('an ended session is refused by every service within a second', () => {
  let gateway: GatewayHarness;
  let sso: SsoHarness;
  let ssoServer: RunningServer;
  let billing: BillingProcess;
  let jwksUrl: URL;
  let slug: string;
  let host: string;
  let admin: Session;

  beforeAll(async () => {
    const ssoUrl = `http://127.0.0.1:${await freePort()}`;
    jwksUrl = new URL(`${ssoUrl}/.well-known/jwks.json`);
    gateway = await startGatewayHarness({ ssoUrl, auth: { jwks: jwksUrl, issuer: ISSUER, audience: AUDIENCE } });
    sso = await startSsoHarness({ database: gateway.database, trustProxy: 'loopback' });
    ssoServer = await startServer(sso.app, {
      port: Number(new URL(ssoUrl).port),
      host: '127.0.0.1',
      logger: gateway.log.logger,
      lifecycle: sso.deps.lifecycle,
      shutdownTimeoutMs: 1_000,
    });
    billing = await startBillingProcess({
      databaseUrl: gateway.database.url,
      auth: { jwksUrl: jwksUrl.href, issuer: ISSUER, audience: AUDIENCE },
    });
    slug = uniqueSlug('revoke');
    host = `${slug}.localhost`;
    await gateway.provision(slug);
    admin = await signIn(['admin']);
  }, 120_000);

  afterAll(async () => {
    await billing.stop();
    await ssoServer.close();
    await sso.close();
    await gateway.close();
  });

  /** A user of the tenant with these roles, signed in by SSO: a real session with access and refresh tokens. */
  function signIn(roles: string[]): Promise<Session> {
    return sso.deps.tenants.forTenant(slug).transaction(async (tx) => {
      const userId = newId('user');
      await tx.user.create({ data: { id: userId, email: `${userId}@revoke.test` } });
      const found = await tx.role.findMany({ where: { name: { in: roles } } });
      await tx.userRole.createMany({ data: found.map((r) => ({ userId, roleId: r.id })) });
      return { userId, ...(await sso.sso.tokens.startSession(tx, slug, { userId, method: 'password' })) };
    });
  }

  /** Through the gateway, as a client calls the platform. */
  const viaGateway = (method: 'get' | 'post', path: string, token?: string) => {
    const req = request(gateway.app)[method](path).set('Host', host);
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };
  /** A route the gateway answers itself (its own token check). */
  const atGateway = async (token: string, app = gateway.app): Promise<Answer> => {
    const res = await request(app).get('/v1/api-keys').set('Host', host).set('Authorization', `Bearer ${token}`);
    return { status: res.status, type: String(res.headers['content-type']), code: (res.body as { code?: unknown }).code };
  };
  /** Billing called directly (its own token check), as the agent or an internal caller could. */
  const atBilling = async (token: string, url = billing.url): Promise<Answer> => {
    const res = await fetch(`${url}/v1/balance`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { code?: unknown };
    return { status: res.status, type: res.headers.get('content-type') ?? '', code: body.code };
  };

  async function refusedWithin(check: () => Promise<Answer>, ms: number): Promise<number> {
    const start = Date.now();
    for (;;) {
      const answer = await check();
      if (answer.status === 401) {
        expect(answer.type).toMatch(/^application\/problem\+json/);
        expect(answer.code).toBe('unauthenticated');
        return Date.now() - start;
      }
      if (Date.now() - start > ms) throw new Error(`still answered ${answer.status} after ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function expectAcceptedEverywhere(token: string): Promise<void> {
    expect((await atGateway(token)).status).toBe(200);
    expect((await atBilling(token)).status).toBe(200);
  }

  async function expectRefusedEverywhereWithinASecond(token: string): Promise<void> {
    // Measured from the moment SSO answered the revoking request.
    const [gatewayMs, billingMs] = await Promise.all([
      refusedWithin(() => atGateway(token), 1_000),
      refusedWithin(() => atBilling(token), 1_000),
    ]);
    expect(gatewayMs).toBeLessThan(1_000);
    expect(billingMs).toBeLessThan(1_000);
  }

  it('after logout', async () => {
    const user = await signIn(['admin']);
    await expectAcceptedEverywhere(user.access_token);
    expect((await viaGateway('post', '/v1/auth/logout', user.access_token)).status).toBe(204);
    await expectRefusedEverywhereWithinASecond(user.access_token);
  });

  it('after an admin revokes the sessions', async () => {
    const user = await signIn(['admin']);
    await expectAcceptedEverywhere(user.access_token);
    const revoked = await viaGateway('post', `/v1/users/${user.userId}/sessions/revoke`, admin.access_token);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ sessionsEnded: 1 });
    await expectRefusedEverywhereWithinASecond(user.access_token);
    await expectAcceptedEverywhere(admin.access_token);
  });

  it('after a rotated refresh token is presented again: the whole family, the newer access token included', async () => {
    const user = await signIn(['admin']);
    const rotated = await viaGateway('post', '/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: user.refresh_token });
    expect(rotated.status).toBe(200);
    const newer = rotated.body as { access_token: string; session_id: string };
    expect(newer.session_id).toBe(user.session_id);
    await expectAcceptedEverywhere(newer.access_token);
    await expectAcceptedEverywhere(user.access_token);
    const replayed = await viaGateway('post', '/v1/auth/token').send({ grant_type: 'refresh_token', refresh_token: user.refresh_token });
    expect(replayed.status).toBe(401);
    await Promise.all([expectRefusedEverywhereWithinASecond(newer.access_token), expectRefusedEverywhereWithinASecond(user.access_token)]);
  });

  it('after the user is blocked', async () => {
    const user = await signIn(['admin']);
    await expectAcceptedEverywhere(user.access_token);
    const blocked = await viaGateway('post', `/v1/users/${user.userId}/block`, admin.access_token);
    expect(blocked.status).toBe(200);
    expect(blocked.body).toEqual({ userId: user.userId, status: 'disabled', sessionsEnded: 1 });
    await expectRefusedEverywhereWithinASecond(user.access_token);
  });

  it('a logged-out admin’s token cannot create an API key', async () => {
    const loggedOut = await signIn(['admin']);
    const keysOf = () => sso.deps.tenants.forTenant(slug).transaction((tx) => tx.apiKey.count());
    expect((await viaGateway('post', '/v1/auth/logout', loggedOut.access_token)).status).toBe(204);
    const before = await keysOf();
    const res = await viaGateway('post', '/v1/api-keys', loggedOut.access_token).send({
      name: 'after logout',
      permissions: ['voice:sessions'],
    });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('unauthenticated');
    expect(await keysOf()).toBe(before);
  });

  it('API keys record who made them: the user and the session', async () => {
    const created = await viaGateway('post', '/v1/api-keys', admin.access_token).send({
      name: 'made by admin',
      permissions: ['api-keys:read'],
    });
    expect(created.status).toBe(201);
    const { apiKey } = apiKeyCreatedSchema.parse(created.body);
    expect(apiKey).toMatchObject({ createdBy: admin.userId, createdBySession: admin.session_id });
    const list = apiKeyListSchema.parse((await viaGateway('get', '/v1/api-keys', admin.access_token).expect(200)).body);
    expect(list.apiKeys.find((k) => k.id === apiKey.id)).toMatchObject({ createdBy: admin.userId, createdBySession: admin.session_id });
    const stored = await sso.deps.tenants.forTenant(slug).transaction((tx) => tx.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } }));
    expect(stored).toMatchObject({ createdBy: admin.userId, createdBySession: admin.session_id });
  });

  it('a gateway and a billing started after the revocations refuse those tokens from their first request (filled from Redis on start)', async () => {
    const loggedOut = await signIn(['admin']);
    const blocked = await signIn(['admin']);
    const live = await signIn(['admin']);
    expect((await viaGateway('post', '/v1/auth/logout', loggedOut.access_token)).status).toBe(204);
    expect((await viaGateway('post', `/v1/users/${blocked.userId}/block`, admin.access_token)).status).toBe(200);

    const laterGateway = await startGatewayHarness({
      database: gateway.database,
      auth: { jwks: jwksUrl, issuer: ISSUER, audience: AUDIENCE },
    });
    const laterBilling = await startBillingProcess({
      databaseUrl: gateway.database.url,
      auth: { jwksUrl: jwksUrl.href, issuer: ISSUER, audience: AUDIENCE },
    });
    try {
      for (const token of [loggedOut.access_token, blocked.access_token]) {
        expect(await atGateway(token, laterGateway.app)).toEqual({
          status: 401,
          type: expect.stringMatching(/^application\/problem\+json/),
          code: 'unauthenticated',
        });
        expect(await atBilling(token, laterBilling.url)).toEqual({
          status: 401,
          type: expect.stringMatching(/^application\/problem\+json/),
          code: 'unauthenticated',
        });
      }
      expect((await atGateway(live.access_token, laterGateway.app)).status).toBe(200);
      expect((await atBilling(live.access_token, laterBilling.url)).status).toBe(200);
    } finally {
      await laterBilling.stop();
      await laterGateway.close();
    }
  }, 60_000);
});
