// Stripe for `npm start` on this machine: stripe-mock (Stripe's own API mock) behind a thin front
// that gives each created Connect account and Checkout Session an id of its own.
//
// stripe-mock is stateless and answers every create with the same fixture id, and it refuses an
// `id` in the request. Billing records one Connect account per tenant (`stripe_account_id` is unique
// and routes webhooks) and one Checkout Session per purchase (`checkout_session_id` is unique), so
// with the fixture ids the second tenant cannot be provisioned and a second purchase cannot start.
// The front rewrites only the `id` of a successful `POST /v1/accounts` or `POST /v1/checkout/sessions`
// answer, derived from the request's Idempotency-Key as Stripe itself does (the same key answers the
// same object), and passes everything else through unchanged. Reads reflect the id in the path, so
// they need nothing. Decision: docs/adr/0051-local-payments-on-stripe-mock.md.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startStripeMock, type StripeMock } from '@mindbot/testing';

/** Creates whose answer gets an id of its own, with the id prefix Stripe uses for them. */
const DISTINCT_IDS: ReadonlyArray<{ path: string; prefix: string }> = [
  { path: '/v1/accounts', prefix: 'acct_' },
  { path: '/v1/checkout/sessions', prefix: 'cs_test_' },
];

/** The id an object created with this idempotency key gets: stable per key, random without one. */
export function localObjectId(prefix: string, idempotencyKey: string | undefined): string {
  const seed = idempotencyKey ? createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24) : randomBytes(12).toString('hex');
  return `${prefix}${seed}`;
}

export interface LocalStripe {
  /** What STRIPE_API_URL takes. */
  url: string;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

async function forward(mock: StripeMock, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', mock.url).pathname;
  const answer = await fetch(`${mock.url}${req.url ?? '/'}`, {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
  });
  let text = await answer.text();
  const distinct = method === 'POST' && answer.ok ? DISTINCT_IDS.find((d) => d.path === path) : undefined;
  if (distinct) {
    const object = JSON.parse(text) as Record<string, unknown>;
    const key = req.headers['idempotency-key'];
    const id = localObjectId(distinct.prefix, typeof key === 'string' ? key : undefined);
    object.id = id;
    // The Checkout link names the session it pays, as Stripe's do.
    if (typeof object.url === 'string') object.url = object.url.replace(/cs_test_[A-Za-z0-9]+/, id);
    text = JSON.stringify(object);
  }
  res.writeHead(answer.status, {
    'content-type': answer.headers.get('content-type') ?? 'application/json',
    'request-id': answer.headers.get('request-id') ?? '',
  });
  res.end(text);
}

/** Starts stripe-mock and its front on loopback ports of their own. */
export async function startLocalStripe(): Promise<LocalStripe> {
  const mock = await startStripeMock();
  const server: Server = createServer((req, res) => {
    forward(mock, req, res).catch((error: unknown) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { type: 'api_error', message: `stripe-mock did not answer: ${error instanceof Error ? error.message : String(error)}` },
        }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('the stripe-mock front has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await mock.stop();
    },
  };
}
