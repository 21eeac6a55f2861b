import { monotonicFactory } from 'ulid';

/** Prefixes of webhook objects (kept here until @mindbot/ids lists them): time-sortable, so deliveries page by id. */
const PREFIXES = { endpoint: 'whe', delivery: 'whd', event: 'evt' } as const;
export type WebhookIdKind = keyof typeof PREFIXES;

const nextUlid = monotonicFactory();
const ULID_BODY = /^[0-9a-hjkmnp-tv-z]{26}$/;

export function newWebhookId(kind: WebhookIdKind): string {
  return `${PREFIXES[kind]}_${nextUlid().toLowerCase()}`;
}

export function isWebhookId(kind: WebhookIdKind, value: string): boolean {
  const prefix = `${PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ULID_BODY.test(value.slice(prefix.length));
}
