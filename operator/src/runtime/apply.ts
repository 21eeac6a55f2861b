import { createHash } from 'node:crypto';
import { canonicalJson } from '@mindbot/tenancy';
import type { KubeObject } from './kube-client.js';

/** Annotation holding the hash of what the operator last applied, so removed fields are noticed too. */
export const APPLIED_HASH_ANNOTATION = 'platform.mindbot.ai/applied-hash';

export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/** The desired object with the hash of its own content in an annotation. */
export function withAppliedHash<T extends KubeObject>(object: T): T {
  const hash = hashOf(object);
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [APPLIED_HASH_ANNOTATION]: hash } } };
}

/**
 * Whether every field the operator states is present in the live object with the same value.
 * Lists must have the same length (the operator states whole lists); fields the API server or
 * others add are ignored. Quantities must be written in canonical form for this to hold.
 */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((item, i) => isSubset(item, live[i]));
  }
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const liveRecord = live as Record<string, unknown>;
    return Object.entries(desired).every(([key, value]) => value === undefined || isSubset(value, liveRecord[key]));
  }
  return desired === live;
}

/** True when applying `desired` (with its hash annotation) would change nothing on `live`. */
export function isApplied(desired: KubeObject, live: KubeObject | undefined): boolean {
  return live !== undefined && live.metadata.deletionTimestamp === undefined && isSubset(desired, live);
}
