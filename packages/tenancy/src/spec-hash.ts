import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { TenantSpec } from './tenant-manifest.js';

/** A stable hash of a validated spec: equal specs hash equally whatever their key order. */
export function specHash(spec: TenantSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}
