import { jest } from '@jest/globals';
import request from 'supertest';
import { brandingSchema } from '@mindbot/sdk/schemas';
import { uniqueSlug } from '@mindbot/testing';
import { SSO_CONNECTIONS_TTL_MS } from '../data/sso-connections.js';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

describe('gateway: GET /v1/branding and CORS', () => {
  let h: GatewayHarness;
  let tenant: string;
  let domain: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    tenant = uniqueSlug('brand');
    domain = `voice.${tenant}.example`;
    await h.provision(tenant, undefined, { domains: [domain] });
  });

  afterAll(async () => {
    await h.close();
  });

  it('answers the tenant’s branding publicly, with an ETag and cache headers, and 304 when unchanged', async () => {
    const res = await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`);
    expect(res.status).toBe(200);
    expect(brandingSchema.parse(res.body)).toEqual({
      tenant,
      displayName: `Test ${tenant}`,
      logoUrl: `https://${tenant}.example/logo.svg`,
      primaryColor: '#112233',
      accentColor: '#445566',
      agentName: 'Tess',
      greeting: 'Hello from the test tenant.',
      language: 'en',
      personas: [{ id: 'default', name: 'Tess', voice: 'aurora', language: 'en', greeting: 'Hello from the test tenant.' }],
      defaultPersona: 'default',
      ssoConnections: [],
    });
    expect(res.headers['cache-control']).toBe('public, max-age=5');
    const etag = res.headers.etag;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    const again = await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`).set('If-None-Match', String(etag));
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it('changes the ETag when the tenant’s branding changes', async () => {
    const before = (await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`)).headers.etag;
    await h.provision(
      tenant,
      (m) => {
        m.spec.branding.primaryColor = '#abcdef';
      },
      { domains: [domain] },
    );
    let after = before;
    for (let i = 0; i < 40 && after === before; i++) {
      after = (await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`)).headers.etag;
      if (after === before) await new Promise((r) => setTimeout(r, 50));
    }
    expect(after).not.toBe(before);
    const stale = await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`).set('If-None-Match', String(before));
    expect(stale.status).toBe(200);
    expect(stale.body.primaryColor).toBe('#abcdef');
  });

  it('lists the personas a user may pick, with the tenant’s default, and never their private instructions', async () => {
    await h.provision(
      tenant,
      (m) => {
        m.spec.agent.personas = [
          { id: 'teacher', name: 'Ms. Lane', voice: 'cedar', language: 'de', instructions: 'Secret teaching notes.', greeting: 'Bereit?' },
        ];
        m.spec.agent.defaultPersona = 'teacher';
      },
      { domains: [domain] },
    );
    let body = brandingSchema.parse((await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`)).body);
    for (let i = 0; i < 40 && body.defaultPersona !== 'teacher'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      body = brandingSchema.parse((await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`)).body);
    }
    expect(body.defaultPersona).toBe('teacher');
    expect(body.personas.map((p) => p.id)).toEqual(['default', 'teacher']);
    expect(body.personas[1]).toEqual({ id: 'teacher', name: 'Ms. Lane', voice: 'cedar', language: 'de', greeting: 'Bereit?' });
    expect(JSON.stringify(body)).not.toContain('Secret teaching notes.');
  });

  it('lists the tenant’s enabled SSO connections by id, name and kind: never disabled ones, another tenant’s, or settings and secrets', async () => {
    const acme = uniqueSlug('brandsso');
    const globex = uniqueSlug('brandsso');
    await h.provision(acme);
    await h.provision(globex);
    const addConnection = (slug: string, id: string, kind: 'oidc' | 'saml', name: string, status: string, minute: number) =>
      h.deps.tenants.forTenant(slug).transaction((tx) =>
        tx.ssoConnection.create({
          data: {
            id,
            kind,
            name,
            status,
            settings: { issuer: `https://idp.${slug}.example`, clientId: `client-of-${id}` },
            secrets: `sealed-secret-of-${id}`,
            roleRules: [{ claim: 'groups', value: `admins-of-${id}`, roles: ['admin'] }],
            defaultRoles: ['member'],
            createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)),
          },
        }),
      );
    await addConnection(acme, 'conn_okta', 'oidc', 'Acme Okta', 'active', 1);
    await addConnection(acme, 'conn_adfs', 'saml', 'Old ADFS', 'disabled', 2);
    await addConnection(acme, 'conn_entra', 'saml', 'Acme Entra', 'active', 3);
    await addConnection(globex, 'conn_google', 'oidc', 'Globex Google', 'active', 0);

    const res = await request(h.app).get('/v1/branding').set('Host', `${acme}.localhost`);
    expect(res.status).toBe(200);
    expect(brandingSchema.parse(res.body).ssoConnections).toEqual([
      { id: 'conn_okta', name: 'Acme Okta', kind: 'oidc' },
      { id: 'conn_entra', name: 'Acme Entra', kind: 'saml' },
    ]);
    // Exactly these fields, nothing of the connections' configuration.
    expect((res.body as { ssoConnections: object[] }).ssoConnections.map((c) => Object.keys(c).sort())).toEqual([
      ['id', 'kind', 'name'],
      ['id', 'kind', 'name'],
    ]);
    for (const hidden of ['Old ADFS', 'conn_adfs', 'Globex', 'conn_google', 'client-of-', 'sealed-secret', 'admins-of-', 'idp.'])
      expect(res.text).not.toContain(hidden);

    const other = brandingSchema.parse((await request(h.app).get('/v1/branding').set('Host', `${globex}.localhost`)).body);
    expect(other.ssoConnections).toEqual([{ id: 'conn_google', name: 'Globex Google', kind: 'oidc' }]);

    // Still cache-friendly: 304 while unchanged, a new ETag once a connection is turned off.
    const etag = String(res.headers.etag);
    expect(res.headers['cache-control']).toBe('public, max-age=5');
    expect((await request(h.app).get('/v1/branding').set('Host', `${acme}.localhost`).set('If-None-Match', etag)).status).toBe(304);
    await h.deps.tenants
      .forTenant(acme)
      .transaction((tx) => tx.ssoConnection.update({ where: { id: 'conn_okta' }, data: { status: 'disabled' } }));
    // The list is kept for at most a second (SSO sends no change notification): the next read after that shows the change.
    const changedAt = Date.now();
    let after = await request(h.app).get('/v1/branding').set('Host', `${acme}.localhost`).set('If-None-Match', etag);
    while (after.status === 304 && Date.now() - changedAt < SSO_CONNECTIONS_TTL_MS + 1_000) {
      await new Promise((r) => setTimeout(r, 100));
      after = await request(h.app).get('/v1/branding').set('Host', `${acme}.localhost`).set('If-None-Match', etag);
    }
    expect(after.status).toBe(200);
    expect(brandingSchema.parse(after.body).ssoConnections).toEqual([{ id: 'conn_entra', name: 'Acme Entra', kind: 'saml' }]);
  });

  it('allows exactly the tenant’s own origins', async () => {
    for (const origin of [`http://${tenant}.localhost`, `http://${domain}`]) {
      const res = await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`).set('Origin', origin);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers.vary).toMatch(/Origin/);
    }
    for (const origin of ['http://evil.example', `https://${tenant}.localhost.evil.example`, 'null', `http://other.localhost`]) {
      const res = await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`).set('Origin', origin);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('answers a preflight from the tenant’s origin, and refuses one from elsewhere', async () => {
    const ok = await request(h.app)
      .options('/v1/voice/sessions')
      .set('Host', `${tenant}.localhost`)
      .set('Origin', `http://${domain}`)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(`http://${domain}`);
    expect(ok.headers['access-control-allow-headers']).toMatch(/Authorization/);
    const refused = await request(h.app)
      .options('/v1/voice/sessions')
      .set('Host', `${tenant}.localhost`)
      .set('Origin', 'http://evil.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(refused.status).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  describe('answered from memory once warm (readyBranding)', () => {
    // A tenant of its own on the largest plan, so that the other tests' requests never bring it near a limit
    // (past the first fifth of a limit every request takes the long way, by design).
    let ready: string;
    let readyDomain: string;
    beforeAll(async () => {
      ready = uniqueSlug('ready');
      readyDomain = `voice.${ready}.example`;
      await h.provision(
        ready,
        (m) => {
          m.spec.plan.requestsPerMinute = 1_000_000;
        },
        { domains: [readyDomain] },
      );
    });

    /** The same request the long way: the ready layer answers no request with a query. */
    const longWay = (path: string) => `${path}?cache=bust`;
    // Values that differ between any two answers, whichever way they took.
    const varying = new Set(['date', 'ratelimit-remaining', 'ratelimit-reset']);
    const shape = (res: request.Response) => ({
      status: res.status,
      headers: Object.entries(res.headers).map(([name, value]) => [name, varying.has(name) ? typeof value : value]),
      body: res.text,
    });

    /**
     * Until a request is answered without asking the registry: the long way fills the registry, the SSO
     * list and the rate-limit blocks (reserved in the background) that a ready answer is made of.
     */
    async function warm(host: string): Promise<void> {
      const byHost = jest.spyOn(h.gateway.registry, 'byHost');
      try {
        for (let attempt = 0; attempt < 200; attempt++) {
          byHost.mockClear();
          await request(h.app).get('/v1/branding').set('Host', host);
          if (byHost.mock.calls.length === 0) return;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error(`GET /v1/branding at ${host} never took the ready way`);
      } finally {
        byHost.mockRestore();
      }
    }

    it('answers exactly as the tenant chain and the route do, for GET, HEAD, an allowed and a foreign origin, without asking the registry', async () => {
      const host = `${ready}.localhost`;
      await warm(host);
      const byHost = jest.spyOn(h.gateway.registry, 'byHost');
      try {
        const allowed = `http://${readyDomain}`;
        const cases: [method: 'get' | 'head', headers: Record<string, string>, allowedOrigin: string | undefined][] = [
          ['get', {}, undefined],
          ['head', {}, undefined],
          ['get', { Origin: allowed }, allowed],
          ['get', { Origin: 'http://evil.example' }, undefined],
        ];
        for (const [method, headers, allowedOrigin] of cases) {
          const answered = await request(h.app)[method]('/v1/branding').set('Host', host).set('X-Request-Id', 'req-same').set(headers);
          expect(byHost).not.toHaveBeenCalled();
          const long = await request(h.app)[method](longWay('/v1/branding')).set('Host', host).set('X-Request-Id', 'req-same').set(headers);
          expect(byHost).toHaveBeenCalled();
          byHost.mockClear();
          expect(shape(answered)).toEqual(shape(long));
          expect(answered.status).toBe(200);
          expect(answered.headers['access-control-allow-origin']).toBe(allowedOrigin);
          if (method === 'get') expect(brandingSchema.parse(answered.body).tenant).toBe(ready);
        }
      } finally {
        byHost.mockRestore();
      }
    });

    it('names the route in metrics and the tenant in its log line, as the long way does', async () => {
      const host = `${ready}.localhost`;
      await warm(host);
      h.log.lines.length = 0;
      const before = await h.deps.metrics.registry.getSingleMetricAsString('http_requests_total');
      const count = (text: string) =>
        Number(/http_requests_total\{method="GET",route="\/v1\/branding",status_code="200"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
      await request(h.app).get('/v1/branding').set('Host', host).set('X-Request-Id', 'req-ready-log');
      await new Promise((r) => setImmediate(r));
      const after = await h.deps.metrics.registry.getSingleMetricAsString('http_requests_total');
      expect(count(after) - count(before)).toBe(1);
      expect(h.log.lines.filter((line) => line.requestId === 'req-ready-log')).toEqual([
        expect.objectContaining({
          msg: 'request completed',
          tenantId: ready,
          res: { statusCode: 200 },
          req: expect.objectContaining({ path: '/v1/branding' }),
        }),
      ]);
    });

    it('never answers a request that carries a credential: a forged token is refused as on every other route', async () => {
      const host = `${ready}.localhost`;
      await warm(host);
      const forged = await request(h.app).get('/v1/branding').set('Host', host).set('Authorization', 'Bearer aaa.bbb.ccc');
      expect(forged.status).toBe(401);
      expect(forged.headers['www-authenticate']).toMatch(/invalid_token/);
      const foreignKey = await request(h.app).get('/v1/branding').set('Host', host).set('X-Api-Key', 'mb_live_not_a_key');
      expect(foreignKey.status).toBe(401);
    });

    it('counts every answer against the tenant’s limits: past its plan, requests are refused with 429', async () => {
      const small = uniqueSlug('brandrl');
      await h.provision(small, (m) => {
        m.spec.plan.requestsPerMinute = 40;
      });
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await request(h.app).get('/v1/branding').set('Host', `${small}.localhost`)).status);
      const allowed = statuses.filter((status) => status === 200).length;
      expect(allowed).toBeGreaterThan(0);
      expect(allowed).toBeLessThanOrEqual(40);
      expect(statuses.slice(allowed)).toEqual(Array.from({ length: 60 - allowed }, () => 429));
    });
  });
});
