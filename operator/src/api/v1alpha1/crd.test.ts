import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CRD_FILE } from './crd-file.js';
import { tenantCrd, tenantCrdYaml } from './crd.js';

describe('the Tenant CRD', () => {
  it('is committed in the chart exactly as generated from the tenancy schema (run `npm run generate:crd` if not)', () => {
    expect(readFileSync(CRD_FILE, 'utf8')).toBe(tenantCrdYaml());
  });

  it('is cluster-scoped with short name tnt, a status subresource and Region/Ready/Age/Message columns', () => {
    const crd = parse(readFileSync(CRD_FILE, 'utf8')) as ReturnType<typeof tenantCrd> & {
      spec: {
        scope: string;
        names: { shortNames: string[] };
        versions: { name: string; subresources: unknown; additionalPrinterColumns: { name: string }[] }[];
      };
    };
    expect(crd.spec.scope).toBe('Cluster');
    expect(crd.spec.names.shortNames).toEqual(['tnt']);
    expect(crd.spec.versions[0]?.subresources).toEqual({ status: {} });
    expect(crd.spec.versions[0]?.additionalPrinterColumns.map((c) => c.name)).toEqual(['Region', 'Ready', 'Age', 'Message']);
  });

  it('carries no construct a structural schema forbids, and no regex RE2 cannot run', () => {
    const text = JSON.stringify(tenantCrd());
    expect(text).not.toContain('additionalProperties":false');
    expect(text).not.toContain('$schema');
    expect(text).not.toMatch(/\(\?[=!<]/);
  });
});
