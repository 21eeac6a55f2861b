import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ManifestError, parseTenantManifest, parseTenantManifests } from './parse-manifest.js';
import { manifestBrandingOf } from './branding-settings.js';
import { schemaNameOf } from './names.js';
import { specHash } from './spec-hash.js';

const examplesDir = fileURLToPath(new URL('../../../examples/tenants/', import.meta.url));
const acmeText = readFileSync(`${examplesDir}acme.yaml`, 'utf8');

function problemsOf(value: unknown): { path: string; message: string }[] {
  try {
    parseTenantManifest(value);
  } catch (error) {
    if (error instanceof ManifestError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the manifest to be refused');
}

describe('Tenant manifests', () => {
  it('accepts every example tenant, in at least two regions', () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith('.yaml'));
    const manifests = files.flatMap((f) => parseTenantManifests(readFileSync(`${examplesDir}${f}`, 'utf8'), f));
    expect(manifests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(manifests.map((m) => m.spec.region)).size).toBeGreaterThanOrEqual(2);
  });

  it('fills defaults so a minimal spec is complete', () => {
    const [initech] = parseTenantManifests(readFileSync(`${examplesDir}initech.yaml`, 'utf8'));
    expect(initech?.spec).toMatchObject({
      domains: [],
      suspended: false,
      dataRetention: 'Retain',
      agent: { minReplicas: 1, maxReplicas: 3 },
      plan: { requestsPerMinute: 600 },
      sso: { passwordLogin: true },
    });
  });

  it('leaves the branding and default-persona settings it is not given unset, for the console (ADR 0055)', () => {
    const [acme] = parseTenantManifests(acmeText);
    if (!acme) throw new Error('no manifest');
    const { displayName: _name, branding: _branding, ...spec } = acme.spec;
    const { persona: _persona, voice: _voice, language: _language, ...agent } = acme.spec.agent;
    const bare = parseTenantManifest({ ...acme, spec: { ...spec, agent } });
    expect(bare.spec.displayName).toBeUndefined();
    expect(bare.spec.branding).toEqual({});
    expect(manifestBrandingOf(bare.spec)).toEqual({});
    expect(manifestBrandingOf(acme.spec)).toMatchObject({
      displayName: acme.spec.displayName,
      greeting: acme.spec.branding.greeting,
      instructions: acme.spec.agent.persona,
    });
  });

  it('lists every problem of an invalid manifest by field path', () => {
    const [acme] = parseTenantManifests(acmeText);
    const broken = structuredClone(acme) as unknown as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown> & { branding: Record<string, unknown>; agent: Record<string, unknown> };
    };
    broken.metadata.name = 'Not_A_Slug';
    broken.spec.region = 'mars-north';
    broken.spec.branding.primaryColor = 'blue';
    broken.spec.branding.logoUrl = 'http://insecure.example/logo.png';
    broken.spec.agent.minReplicas = 9;
    broken.spec.domains = ['UPPER.example', 'ok.example'];
    broken.spec.unknownField = true;
    const paths = problemsOf(broken).map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'metadata.name',
        'spec.region',
        'spec.branding.primaryColor',
        'spec.branding.logoUrl',
        'spec.domains.0',
        'spec',
      ]),
    );
  });

  it('refuses replica bounds that contradict each other', () => {
    const [acme] = parseTenantManifests(acmeText);
    const value = structuredClone(acme);
    if (!value) throw new Error('no manifest');
    value.spec.agent.minReplicas = 5;
    value.spec.agent.maxReplicas = 2;
    expect(problemsOf(value)).toEqual([{ path: 'spec.agent.minReplicas', message: 'must not be greater than agent.maxReplicas' }]);
  });

  it('refuses the wrong kind or apiVersion, and YAML that does not parse', () => {
    expect(problemsOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'acme' }, spec: {} }).map((p) => p.path)).toEqual(
      expect.arrayContaining(['apiVersion', 'kind']),
    );
    expect(() => parseTenantManifests('spec: [unclosed', 'bad.yaml')).toThrow(/bad.yaml/);
    expect(() => parseTenantManifests('', 'empty.yaml')).toThrow(/holds no manifest/);
  });

  it('reads several manifests from one file', () => {
    expect(parseTenantManifests(`${acmeText}\n---\n${acmeText.replace('name: acme', 'name: acme-two')}`)).toHaveLength(2);
  });

  it('hashes equal specs equally whatever the key order, and changed specs differently', () => {
    const [acme] = parseTenantManifests(acmeText);
    if (!acme) throw new Error('no manifest');
    const reverseKeys = (value: unknown): unknown =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value)
              .reverse()
              .map(([k, v]) => [k, reverseKeys(v)]),
          )
        : value;
    const reordered = reverseKeys(acme.spec) as typeof acme.spec;
    expect(Object.keys(reordered)[0]).not.toBe(Object.keys(acme.spec)[0]);
    expect(specHash(reordered)).toBe(specHash(acme.spec));
    expect(specHash({ ...acme.spec, displayName: 'Other' })).not.toBe(specHash(acme.spec));
  });

  it('maps slugs to distinct Postgres schema names', () => {
    expect(schemaNameOf('acme-corp')).toBe('t_acme_corp');
  });
});
