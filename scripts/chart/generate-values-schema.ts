// Writes the chart's values.schema.json from values-schema.ts: `npm run generate:values-schema`. A test fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { VALUES_SCHEMA_FILE, valuesSchemaJson } from './values-schema-json.js';

writeFileSync(VALUES_SCHEMA_FILE, valuesSchemaJson());
process.stdout.write(`wrote ${VALUES_SCHEMA_FILE}\n`);
