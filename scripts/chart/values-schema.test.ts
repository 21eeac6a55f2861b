import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { chartValuesSchema } from './values-schema.js';
import { VALUES_SCHEMA_FILE, valuesSchemaJson } from './values-schema-json.js';

describe("the chart's values schema", () => {
  it('is committed in the chart exactly as generated from values-schema.ts (run `npm run generate:values-schema` if not)', () => {
    expect(readFileSync(VALUES_SCHEMA_FILE, 'utf8')).toBe(valuesSchemaJson());
  });

  it('accepts the defaults of values.yaml', () => {
    const defaults: unknown = parse(readFileSync(join(VALUES_SCHEMA_FILE, '..', 'values.yaml'), 'utf8'));
    expect(chartValuesSchema.safeParse(defaults).error?.issues).toBeUndefined();
  });
});
