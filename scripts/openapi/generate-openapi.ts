// Writes the public OpenAPI document into the SDK: `npm run generate:openapi`. A test fails when it is stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_MODULE_PATH, openApiModuleSource, publicOpenApiDocument } from './public-openapi.js';

const root = join(import.meta.dirname, '..', '..');
writeFileSync(join(root, OPENAPI_MODULE_PATH), openApiModuleSource(publicOpenApiDocument()));
process.stdout.write(`wrote ${OPENAPI_MODULE_PATH}\n`);
