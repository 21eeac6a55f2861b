import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/** Every kind of object has its own prefix, so an id says what it names in logs and support tickets. */
export const ID_PREFIXES = {
  tenant: 'ten',
  user: 'usr',
  role: 'rol',
  audit: 'aud',
  request: 'req',
  session: 'ses',
  apiKey: 'key',
  connection: 'con',
  package: 'pkg',
  timeCard: 'tc',
  ledgerEntry: 'led',
  purchase: 'pur',
  minuteLot: 'lot',
  voiceSession: 'vs',
  identity: 'idn',
  refreshToken: 'rtk',
  resetToken: 'prt',
  invitation: 'inv',
  loginRequest: 'lrq',
} as const;

export type IdPrefix = keyof typeof ID_PREFIXES;

/** Bytes drawn from the system's CSPRNG at a time: one call per 256 fresh ULIDs instead of one per character. */
const RANDOM_POOL_BYTES = 4096;
const ENCODING_LEN = 32;

/**
 * A PRNG for `ulid` that serves each character from a pool of cryptographically random bytes,
 * refilled with one `randomFillSync` when used up. `ulid` turns the fraction into a character with
 * `floor(r * 32)`, so the fraction is exactly a multiple of 1/32: every character of the alphabet is
 * equally likely (256 is a multiple of 32), as with `ulid`'s own one-byte-per-call source.
 */
export function pooledRandom(poolBytes: number = RANDOM_POOL_BYTES): () => number {
  const pool = new Uint8Array(poolBytes);
  let next = poolBytes;
  return () => {
    if (next === poolBytes) {
      randomFillSync(pool);
      next = 0;
    }
    const byte = pool[next++] ?? 0;
    return (byte % ENCODING_LEN) / ENCODING_LEN;
  };
}

const nextUlid = monotonicFactory(pooledRandom());

/** A prefixed, time-sortable id such as `usr_01jd3x…` (ULID, lower case). */
export function newId(kind: IdPrefix): string {
  return `${ID_PREFIXES[kind]}_${nextUlid().toLowerCase()}`;
}

const ULID_BODY = /^[0-9a-hjkmnp-tv-z]{26}$/;

export function isId(kind: IdPrefix, value: string): boolean {
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ULID_BODY.test(value.slice(prefix.length));
}
