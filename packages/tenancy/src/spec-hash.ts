import { createHash } from 'node:crypto';
import type { TenantSpec } from './tenant-manifest.js';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** A stable hash of a validated spec: equal specs hash equally whatever their key order. */
export function specHash(spec: TenantSpec): string {
  return createHash('sha256').update(JSON.stringify(canonical(spec))).digest('hex');
}
