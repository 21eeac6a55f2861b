// Writes the Tenant CRD into the chart: `npm run generate:crd`. A test fails when the file is stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CRD_FILE } from './crd-file.js';
import { tenantCrdYaml } from './crd.js';

mkdirSync(dirname(CRD_FILE), { recursive: true });
writeFileSync(CRD_FILE, tenantCrdYaml());
process.stdout.write(`wrote ${CRD_FILE}\n`);
