import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_DOCUMENT_JSON } from '@mindbot/sdk/openapi';
import { OPENAPI_MODULE_PATH, openApiModuleSource, publicOpenApiDocument } from './public-openapi.js';

const root = join(import.meta.dirname, '..', '..');

type Operation = Record<string, unknown>;
interface SchemaObject {
  properties?: Record<string, unknown>;
  required?: string[];
  [keyword: string]: unknown;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/**
 * The public API as it was documented before issue 12, when the gateway held hand-written copies of
 * billing's and SSO's route specs. Routes may be added after it; none may change or disappear.
 */
const before = JSON.parse(readFileSync(join(root, 'test/fixtures/openapi-before-issue-12.json'), 'utf8')) as Document;

describe('the public OpenAPI document (built from each service’s own route specs)', () => {
  it('is committed in the SDK exactly as generated (run `npm run generate:openapi` if not)', () => {
    expect(readFileSync(join(root, OPENAPI_MODULE_PATH), 'utf8')).toBe(openApiModuleSource(publicOpenApiDocument()));
    expect(JSON.parse(OPENAPI_DOCUMENT_JSON)).toEqual(publicOpenApiDocument());
  });

  const current = publicOpenApiDocument() as unknown as Document;
  const operations = Object.entries(before.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, path, method, operation] as const),
  );

  it('keeps every operation documented before, and the document still covers the gateway, billing and SSO', () => {
    expect(operations.length).toBeGreaterThanOrEqual(40);
    const missing = operations.filter(([, path, method]) => current.paths[path]?.[method] === undefined).map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it.each(operations)('describes %s as before, route by route', (_name, path, method, operation) => {
    expect(current.paths[path]?.[method]).toEqual(operation);
  });

  it('keeps every named schema compatible: each property described as before, nothing required before made optional', () => {
    const changed: string[] = [];
    for (const [id, schema] of Object.entries(before.components.schemas) as [string, SchemaObject][]) {
      const now = current.components.schemas[id] as SchemaObject | undefined;
      if (!now) {
        changed.push(`${id}: gone`);
        continue;
      }
      // New optional properties are additions, not changes; anything else must read as it did.
      const { properties = {}, required = [], ...rest } = schema;
      const { properties: nowProperties = {}, required: nowRequired = [], ...nowRest } = now;
      if (JSON.stringify(rest) !== JSON.stringify(nowRest)) changed.push(`${id}: ${JSON.stringify(rest)} → ${JSON.stringify(nowRest)}`);
      for (const [name, property] of Object.entries(properties)) {
        if (JSON.stringify(nowProperties[name]) !== JSON.stringify(property)) changed.push(`${id}.${name}`);
      }
      for (const name of required) if (!nowRequired.includes(name)) changed.push(`${id}.${name}: no longer required`);
    }
    expect(changed).toEqual([]);
  });
});
