import { parseAllDocuments } from 'yaml';
import { tenantManifestSchema, type TenantManifest } from './tenant-manifest.js';

export interface ManifestProblem {
  /** The field path, e.g. `spec.branding.primaryColor`. */
  path: string;
  message: string;
}

/** A manifest that cannot be used, with every problem listed by field path. */
export class ManifestError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ManifestProblem[],
  ) {
    super(`${source} is not a valid Tenant manifest:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`);
    this.name = 'ManifestError';
  }
}

/** Validates one already-parsed manifest object. */
export function parseTenantManifest(value: unknown, source = 'manifest'): TenantManifest {
  const result = tenantManifestSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ManifestError(
    source,
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message })),
  );
}

/** Parses a YAML (or JSON) text holding one or more `---`-separated Tenant manifests. */
export function parseTenantManifests(text: string, source = 'manifest'): TenantManifest[] {
  const documents = parseAllDocuments(text);
  const manifests: TenantManifest[] = [];
  for (const [index, document] of documents.entries()) {
    const where = documents.length > 1 ? `${source} (document ${index + 1})` : source;
    if (document.errors.length > 0) {
      throw new ManifestError(
        where,
        document.errors.map((e) => ({ path: `(yaml line ${e.linePos?.[0].line ?? '?'})`, message: e.message.split('\n')[0] ?? e.code })),
      );
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    manifests.push(parseTenantManifest(value, where));
  }
  if (manifests.length === 0) throw new ManifestError(source, [{ path: '(root)', message: 'holds no manifest' }]);
  return manifests;
}
