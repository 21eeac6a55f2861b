import { createHash } from 'node:crypto';

/** Two 32-bit advisory-lock keys: one for "schema work", one for the schema it is about. */
export function lockKeyFor(schema: string): [number, number] {
  const digest = createHash('sha256').update(schema).digest();
  return [0x6d62_6d67 | 0, digest.readInt32BE(0)];
}
