import request from 'supertest';
import { buildOpenApi, openApiPath } from '@mindbot/http';
import { expressRoutes, uniqueSlug } from '@mindbot/testing';
import { WEB_ROUTES } from '../app.js';
import { PROXIED_PREFIXES } from './proxied-prefixes.js';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';
import { problemSchema } from '@mindbot/sdk/schemas';

type Operations = Record<string, { 'x-mindbot-upstream'?: string }>;
interface Doc {
  openapi: string;
  paths: Record<string, Operations>;
}

/** Every process serves these; they are not the tenant API. */
const OPERATIONAL = new Set(['get /healthz', 'get /readyz', 'get /metrics']);

/**
 * `method {path}` of every route an app serves, in OpenAPI's spelling. A route on `all()` checks
 * its method itself (the SAML SLO answers GET and POST, 405 to the rest), so it stands for both.
 */
function served(app: Parameters<typeof expressRoutes>[0]): Set<string> {
  const routes = new Set<string>();
  for (const route of expressRoutes(app)) {
    if (OPERATIONAL.has(route)) continue;
    const [method = '', path = ''] = route.split(' ');
    for (const m of method === 'all' ? ['get', 'post'] : [method]) routes.add(`${m} ${openApiPath(path)}`);
  }
  return routes;
}

function documented(doc: Doc, upstream: string | undefined): Set<string> {
  const found = new Set<string>();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations))
      if (operation['x-mindbot-upstream'] === upstream) found.add(`${method} ${path}`);
  }
  return found;
}

type AnswerDoc = {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
};

/** Every documented answer that carries a body but no schema (non-JSON answers must at least name their media type). */
function undescribedAnswers(doc: AnswerDoc): { problems: string[]; described: number } {
  const bodiless = (status: number) => status === 204 || (status >= 300 && status < 400);
  const problems: string[] = [];
  let described = 0;
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const content = Object.entries(response.content ?? {});
        if (bodiless(Number(status))) {
          if (content.length > 0) problems.push(`${method} ${path} ${status}: a body on a bodiless status`);
          continue;
        }
        const json = content.filter(([type]) => /[/+]json$/.test(type));
        if (content.length === 0 || json.some(([, media]) => media.schema === undefined)) problems.push(`${method} ${path} ${status}`);
        else described += json.length;
      }
    }
  }
  return { problems, described };
}

const under = (prefixes: readonly string[], path: string) => prefixes.some((p) => path === p || path.startsWith(`${p}/`));

describe('gateway: /openapi.json', () => {
  let h: GatewayHarness;

  beforeAll(async () => {
    h = await startGatewayHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  it('documents exactly the gateway’s own routes', async () => {
    const res = await request(h.app).get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as Doc;
    expect(doc.openapi).toBe('3.1.0');
    const own = served(h.app);
    own.delete('get /openapi.json');
    // The hosted page and the widget's files are what browsers load, not API operations (app.ts WEB_ROUTES).
    for (const route of WEB_ROUTES) own.delete(`${route.spec.method} ${openApiPath(route.spec.path)}`);
    expect([...documented(doc, undefined)].sort()).toEqual([...own].sort());
  });

  it.each([['billing', PROXIED_PREFIXES.billing] as const, ['sso', PROXIED_PREFIXES.sso] as const])(
    'proxies every operation documented for %s to it (each service checks it serves exactly its own specs)',
    async (service, prefixes) => {
      const doc = (await request(h.app).get('/openapi.json')).body as Doc;
      const operations = [...documented(doc, service)];
      expect(operations.length).toBeGreaterThan(10);
      const unreachable = operations.filter((operation) => !under([...prefixes.user, ...prefixes.open], operation.split(' ')[1] ?? ''));
      expect(unreachable).toEqual([]);
    },
  );

  it('describes request and response bodies from the route schemas, with every $ref resolvable', async () => {
    const doc = (await request(h.app).get('/openapi.json')).body as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    expect(doc.paths['/v1/api-keys']?.post?.requestBody?.content['application/json']?.schema.$ref).toBe(
      '#/components/schemas/ApiKeyCreateRequest',
    );
    expect(doc.components.schemas.ApiKeyCreateRequest?.required).toEqual(['name', 'permissions']);
    expect(Object.keys(doc.components.schemas.VoiceSession?.properties ?? {})).toEqual(
      expect.arrayContaining(['sessionId', 'room', 'livekitUrl', 'token']),
    );
    const billing = (await request(h.app).get('/openapi.json')).body as {
      paths: Record<
        string,
        Record<
          string,
          { parameters?: { name: string; in: string; required: boolean }[]; requestBody?: { content: Record<string, unknown> } }
        >
      >;
    };
    expect(doc.paths['/v1/admin/packages']?.post?.requestBody?.content['application/json']?.schema.$ref).toBe(
      '#/components/schemas/PackageCreateRequest',
    );
    expect(doc.components.schemas.PackageCreateRequest?.required).toEqual(['name', 'priceCents', 'currency', 'baseSeconds']);
    expect(billing.paths['/v1/admin/reports']?.get?.parameters?.filter((p) => p.in === 'query').map((p) => [p.name, p.required])).toEqual([
      ['from', true],
      ['to', true],
      ['format', false],
      ['view', false],
    ]);
    expect(billing.paths['/v1/sso/login']?.get?.parameters?.map((p) => p.name)).toEqual([
      'connection',
      'email',
      'returnTo',
      'code_challenge',
      'code_challenge_method',
    ]);
    expect(Object.keys(billing.paths['/v1/sso/saml/{connectionId}/acs']?.post?.requestBody?.content ?? {})).toEqual([
      'application/x-www-form-urlencoded',
    ]);
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] ?? '');
    for (const ref of refs) expect(doc.components.schemas[ref]).toBeDefined();
  });

  it('documents the 409 problem of a first sign-in that lost a race on both ways back from an IdP', async () => {
    const doc = (await request(h.app).get('/openapi.json')).body as AnswerDoc;
    for (const [path, method] of [
      ['/v1/sso/oidc/{connectionId}/callback', 'get'],
      ['/v1/sso/saml/{connectionId}/acs', 'post'],
    ] as const) {
      const conflict = doc.paths[path]?.[method]?.responses['409'];
      expect(conflict?.content?.['application/problem+json']?.schema).toEqual({ $ref: '#/components/schemas/Problem' });
    }
  });

  it('gives every answer that has a body a schema: a JSON answer without one fails here', async () => {
    const doc = (await request(h.app).get('/openapi.json')).body as AnswerDoc;
    expect(undescribedAnswers(doc).problems).toEqual([]);
    expect(undescribedAnswers(doc).described).toBeGreaterThan(100);
    // The check itself: a JSON answer documented by description only is caught, a CSV alternative beside a schema is not.
    const lax = buildOpenApi(
      [
        {
          method: 'get',
          path: '/v1/lax',
          operationId: 'lax',
          summary: 'lax',
          auth: 'user',
          responses: { 200: { description: 'Something' }, 204: { description: 'Nothing' } },
        },
        {
          method: 'get',
          path: '/v1/csv',
          operationId: 'csv',
          summary: 'csv',
          auth: 'user',
          responses: { 200: { description: 'Rows', schema: problemSchema, alsoMediaTypes: ['text/csv'] } },
        },
      ],
      { version: 'test' },
    ) as unknown as AnswerDoc;
    expect(undescribedAnswers(lax).problems).toEqual(['get /v1/lax 200']);
  });

  it('is served without a tenant host, and unknown tenant paths still answer problems', async () => {
    const slug = uniqueSlug('doc');
    expect((await request(h.app).get('/openapi.json').set('Host', `${slug}.localhost`)).status).toBe(200);
    expect((await request(h.app).get('/v1/nothing').set('Host', 'localhost')).status).toBe(404);
  });
});
