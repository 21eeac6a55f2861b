import request from 'supertest';
import type { Express } from 'express';
import { uniqueSlug } from '@mindbot/testing';
import { API_SPECS } from '../app.js';
import { PROXIED_PREFIXES } from '../routes/proxied-routes.js';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';
import { openApiPath } from './openapi.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every method + path express actually routes (the gateway's own routes), read from the router stack. */
function expressRoutes(app: Express): Set<string> {
  const found = new Set<string>();
  const walk = (stack: readonly Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') found.add(`${method} ${openApiPath(layer.route.path)}`);
      if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  walk(router.stack);
  return found;
}

describe('gateway: /openapi.json', () => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await startGatewayHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('is an OpenAPI 3.1 document whose paths are exactly the gateway’s routes plus documented proxied ones', async () => {
    const res = await request(h.app).get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, { 'x-mindbot-upstream'?: string }>>; components: { schemas: Record<string, unknown> } };
    expect(doc.openapi).toBe('3.1.0');

    const documentedOwn = new Set<string>();
    const documentedProxied: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (operation['x-mindbot-upstream']) documentedProxied.push(path);
        else documentedOwn.add(`${method} ${path}`);
      }
    }
    const routed = expressRoutes(h.app);
    routed.delete('get /openapi.json');
    for (const health of ['get /healthz', 'get /readyz', 'get /metrics']) routed.delete(health);
    expect([...documentedOwn].sort()).toEqual([...routed].sort());
    const prefixes = [...PROXIED_PREFIXES.billing.user, ...PROXIED_PREFIXES.sso.user];
    for (const path of documentedProxied) expect(prefixes.some((p) => path === p || path.startsWith(`${p}/`))).toBe(true);
    expect(documentedProxied.length).toBe(API_SPECS.filter((s) => s.upstream).length);
  });

  it('describes request and response bodies from the route schemas, with every $ref resolvable', async () => {
    const doc = (await request(h.app).get('/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>; components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } };
    expect(doc.paths['/v1/api-keys']?.post?.requestBody?.content['application/json']?.schema.$ref).toBe('#/components/schemas/ApiKeyCreateRequest');
    expect(doc.components.schemas.ApiKeyCreateRequest?.required).toEqual(['name', 'permissions']);
    expect(Object.keys(doc.components.schemas.VoiceSession?.properties ?? {})).toEqual(expect.arrayContaining(['sessionId', 'room', 'livekitUrl', 'token']));
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] ?? '');
    for (const ref of refs) expect(doc.components.schemas[ref]).toBeDefined();
  });

  it('is served without a tenant host, and unknown tenant paths still answer problems', async () => {
    const slug = uniqueSlug('doc');
    expect((await request(h.app).get('/openapi.json').set('Host', `${slug}.localhost`)).status).toBe(200);
    expect((await request(h.app).get('/v1/nothing').set('Host', 'localhost')).status).toBe(404);
  });
});
