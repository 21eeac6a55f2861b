import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ManifestError, parseTenantManifest, parseTenantManifests } from './parse-manifest.js';
import { specHash } from './spec-hash.js';

const initechText = readFileSync(fileURLToPath(new URL('../../../examples/tenants/initech.yaml', import.meta.url)), 'utf8');

function withOrigins(embedOrigins: unknown): unknown {
  const [manifest] = parseTenantManifests(initechText);
  return { ...manifest, spec: { ...manifest?.spec, embedOrigins } };
}

function problemsOf(value: unknown): string[] {
  try {
    parseTenantManifest(value);
    return [];
  } catch (error) {
    if (error instanceof ManifestError) return error.problems.map((p) => p.path);
    throw error;
  }
}

describe('Tenant manifests: the websites that may embed the widget (spec.embedOrigins)', () => {
  it('accepts https origins, and http ones only on loopback hosts', () => {
    const origins = [
      'https://www.customer.example',
      'https://shop.example:8443',
      'http://localhost:5173',
      'http://shop.localhost:4000',
      'http://127.0.0.1:9999',
    ];
    expect(parseTenantManifest(withOrigins(origins)).spec.embedOrigins).toEqual(origins);
  });

  it.each([
    ['http://www.customer.example'],
    ['https://www.customer.example/'],
    ['https://www.customer.example/shop'],
    ['https://*.customer.example'],
    ['https://WWW.customer.example'],
    ['*'],
    ['null'],
    ['https://user@customer.example'],
  ])('refuses %s', (origin) => {
    expect(problemsOf(withOrigins([origin]))).toEqual(['spec.embedOrigins.0']);
  });

  it('refuses an origin listed twice, and leaves a manifest without the field (and its hash) as it was', () => {
    expect(problemsOf(withOrigins(['https://a.example', 'https://a.example']))).toEqual(['spec.embedOrigins']);
    const [plain] = parseTenantManifests(initechText);
    expect(plain?.spec.embedOrigins).toBeUndefined();
    expect(plain && specHash(plain.spec)).toBe(plain && specHash(parseTenantManifest(JSON.parse(JSON.stringify(plain))).spec));
  });
});
