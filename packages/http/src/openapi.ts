import { z } from 'zod';
import type { RouteSpec } from './route-spec.js';

type JsonObject = Record<string, unknown>;

const SECURITY: Record<RouteSpec['auth'], JsonObject[]> = {
  public: [],
  signature: [],
  user: [{ bearerAuth: [] }],
  admin: [{ bearerAuth: [] }],
  'user-or-key': [{ bearerAuth: [] }, { apiKey: [] }],
  service: [{ bearerAuth: [] }],
};

function idOf(schema: z.ZodType): string | undefined {
  const meta = schema.meta();
  return typeof meta?.id === 'string' ? meta.id : undefined;
}

/** One query parameter per property of the route's query schema, as accepted (input). */
function queryParameters(query: z.ZodObject): JsonObject[] {
  const schema = z.toJSONSchema(query, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: schema.required?.includes(name) ?? false,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** `/v1/api-keys/:id` → `/v1/api-keys/{id}` */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * The OpenAPI 3.1 document of the public API, built from the routes' own zod schemas (JSON Schema
 * 2020-12 is OpenAPI 3.1's dialect). Named schemas (`.meta({ id })`) become components; request
 * bodies are described as accepted (input), responses as sent (output).
 */
export function buildOpenApi(specs: readonly RouteSpec[], info: { version: string }): JsonObject {
  const inputs = z.registry<{ id: string }>();
  const outputs = z.registry<{ id: string }>();
  for (const spec of specs) {
    if (spec.body) {
      const id = idOf(spec.body);
      if (id && !inputs.has(spec.body)) inputs.add(spec.body, { id });
    }
    for (const response of Object.values(spec.responses)) {
      const schema = response?.schema;
      const id = schema ? idOf(schema) : undefined;
      if (schema && id && !outputs.has(schema)) outputs.add(schema, { id });
    }
  }
  const uri = (id: string) => `#/components/schemas/${id}`;
  const components: Record<string, unknown> = {};
  for (const [registry, io] of [
    [inputs, 'input'],
    [outputs, 'output'],
  ] as const) {
    const { schemas } = z.toJSONSchema(registry, { uri, io, unrepresentable: 'any' });
    // Named schemas nested in registered ones (ApiKey inside ApiKeyList) land in `__shared.$defs`: hoist them.
    const { __shared: shared, ...named } = schemas;
    const hoisted = { ...named, ...((shared as { $defs?: Record<string, unknown> } | undefined)?.$defs ?? {}) };
    for (const [id, schema] of Object.entries(hoisted)) {
      const { $schema: _s, $id: _i, ...rest } = schema as JsonObject;
      components[id] = JSON.parse(
        JSON.stringify(rest).replaceAll('#/components/schemas/__shared#/$defs/', '#/components/schemas/'),
      ) as unknown;
    }
  }
  const describe = (schema: z.ZodType, io: 'input' | 'output'): unknown => {
    const id = idOf(schema);
    if (id) return { $ref: uri(id) };
    const { $schema: _s, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonObject;
    return rest;
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) {
    const path = openApiPath(spec.path);
    const parameters: unknown[] = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (spec.query) parameters.push(...queryParameters(spec.query));
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      if (!response) continue;
      const type = response.mediaType ?? (Number(status) >= 400 ? 'application/problem+json' : 'application/json');
      const also = Object.fromEntries((response.alsoMediaTypes ?? []).map((media) => [media, {}]));
      const content = response.schema
        ? { [type]: { schema: describe(response.schema, 'output') }, ...also }
        : response.mediaType
          ? { [type]: {}, ...also }
          : undefined;
      responses[status] = { description: response.description, ...(content ? { content } : {}) };
    }
    paths[path] ??= {};
    paths[path][spec.method] = {
      operationId: spec.operationId,
      summary: spec.summary,
      security: SECURITY[spec.auth],
      ...(spec.upstream ? { 'x-mindbot-upstream': spec.upstream } : {}),
      ...(spec.permission ? { 'x-mindbot-api-key-permission': spec.permission } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: { [spec.bodyMediaType ?? 'application/json']: { schema: describe(spec.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'MindBot Platform API',
      version: info.version,
      description:
        'The public API of one tenant, served at the tenant host (`https://<tenant>.<base domain>` or the tenant domain). Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: 'https://{tenant}.mindbot.ai', variables: { tenant: { default: 'acme' } } }],
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A platform access token from the SSO service.' },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Api-Key',
          description: 'An API key (mb_live_… / mb_test_…); `Authorization: Bearer mb_…` works too.',
        },
      },
    },
  };
}
