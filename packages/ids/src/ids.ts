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

const nextUlid = monotonicFactory();

/** A prefixed, time-sortable id such as `usr_01jd3x…` (ULID, lower case). */
export function newId(kind: IdPrefix): string {
  return `${ID_PREFIXES[kind]}_${nextUlid().toLowerCase()}`;
}

const ULID_BODY = /^[0-9a-hjkmnp-tv-z]{26}$/;

export function isId(kind: IdPrefix, value: string): boolean {
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ULID_BODY.test(value.slice(prefix.length));
}
