import { MindBotApiError, problemMessage, WidgetApi } from './widget-api.js';
import type { KeyValueStorage } from './token-store.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

function mapStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

const tokens = (n: number) => ({
  token_type: 'Bearer',
  access_token: `at${n}`,
  refresh_token: `rt${n}`,
  expires_in: 900,
  session_id: 'ses_1',
});
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const problem = (status: number, code: string, detail: string) => json(status, { type: 'about:blank', title: code, status, detail, code });

function fakeFetch(answer: (seen: Seen) => Response) {
  const seen: Seen[] = [];
  const impl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    const call: Seen = {
      method: init?.method ?? 'GET',
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      authorization: headers.get('authorization') ?? undefined,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    seen.push(call);
    return Promise.resolve(answer(call));
  };
  return { seen, impl };
}

const balance = { availableSeconds: 750, totalSeconds: 750, heldSeconds: 0, lots: [] };

describe('WidgetApi', () => {
  it('signs in, keeps the tokens per tenant host, and sends them', async () => {
    const storage = mapStorage();
    const fetch = fakeFetch((call) => (call.url.endsWith('/v1/auth/password/login') ? json(200, tokens(1)) : json(200, balance)));
    const api = new WidgetApi({ origin: 'https://acme.mindbot.ai/', fetch: fetch.impl, storage });
    expect(api.signedIn).toBe(false);
    await api.signIn('ada@example.com', 'pw');
    expect(api.signedIn).toBe(true);
    expect(await api.balance()).toMatchObject({ availableSeconds: 750 });
    expect(fetch.seen.map((s) => [s.method, s.url, s.authorization])).toEqual([
      ['POST', 'https://acme.mindbot.ai/v1/auth/password/login', undefined],
      ['GET', 'https://acme.mindbot.ai/v1/balance', 'Bearer at1'],
    ]);
    expect([...storage.map.keys()]).toEqual(['mindbot:acme.mindbot.ai:tokens']);

    // Another tenant on the same page shares the storage but not the session.
    const other = new WidgetApi({ origin: 'https://globex.mindbot.ai', fetch: fetch.impl, storage });
    expect(other.signedIn).toBe(false);
  });

  it('registers with the SDK schemas', async () => {
    const fetch = fakeFetch(() => json(201, tokens(1)));
    const api = new WidgetApi({ origin: 'https://acme.mindbot.ai', fetch: fetch.impl });
    await api.signUp('new@example.com', 'long enough password');
    expect(fetch.seen[0]).toMatchObject({
      method: 'POST',
      url: 'https://acme.mindbot.ai/v1/auth/password/register',
      body: { email: 'new@example.com', password: 'long enough password' },
    });
    expect(api.signedIn).toBe(true);
  });

  it('refreshes an expired access token once and retries', async () => {
    const storage = mapStorage();
    const fetch = fakeFetch((call) => {
      if (call.url.endsWith('/login')) return json(200, tokens(1));
      if (call.url.endsWith('/v1/auth/token')) return json(200, tokens(2));
      return call.authorization === 'Bearer at2' ? json(200, balance) : problem(401, 'unauthenticated', 'expired');
    });
    const api = new WidgetApi({ origin: 'https://acme.mindbot.ai', fetch: fetch.impl, storage });
    await api.signIn('a@example.com', 'pw');
    expect(await api.balance()).toMatchObject({ availableSeconds: 750 });
    expect(fetch.seen.map((s) => s.url.replace('https://acme.mindbot.ai', ''))).toEqual([
      '/v1/auth/password/login',
      '/v1/balance',
      '/v1/auth/token',
      '/v1/balance',
    ]);
  });

  it('signs out locally when the refresh is refused', async () => {
    const fetch = fakeFetch((call) => (call.url.endsWith('/login') ? json(200, tokens(1)) : problem(401, 'unauthenticated', 'no')));
    const api = new WidgetApi({ origin: 'https://acme.mindbot.ai', fetch: fetch.impl });
    await api.signIn('a@example.com', 'pw');
    await expect(api.balance()).rejects.toBeInstanceOf(MindBotApiError);
    expect(api.signedIn).toBe(false);
  });

  it("raises activation refusals with the API's message", async () => {
    const fetch = fakeFetch((call) =>
      call.url.endsWith('/login') ? json(200, tokens(1)) : problem(409, 'conflict', 'This activation code has already been used.'),
    );
    const api = new WidgetApi({ origin: 'https://acme.mindbot.ai', fetch: fetch.impl });
    await api.signIn('a@example.com', 'pw');
    const error: unknown = await api.activate(' ABCD-EFGH-JKLM ').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MindBotApiError);
    expect(problemMessage(error, 'fallback')).toBe('This activation code has already been used.');
    expect(fetch.seen[1]).toMatchObject({
      url: 'https://acme.mindbot.ai/v1/time-cards/activate',
      body: { code: 'ABCD-EFGH-JKLM' },
      authorization: 'Bearer at1',
    });
  });

  it('lists the time cards with the SDK schema, refreshing an expired token like the other calls', async () => {
    const timeCard = {
      id: 'tc_1',
      purchaseId: 'pur_1',
      activationCode: 'ABCD-EFGH-JKLM',
      seconds: 3600,
      status: 'issued',
      activatedAt: null,
      codeExpiresAt: '2027-12-06T15:00:00.000Z',
      createdAt: '2026-12-06T15:00:00.000Z',
    };
    const fetch = fakeFetch((call) => {
      if (call.url.endsWith('/login')) return json(200, tokens(1));
      if (call.url.endsWith('/v1/auth/token')) return json(200, tokens(2));
      return call.authorization === 'Bearer at2' ? json(200, { timeCards: [timeCard] }) : problem(401, 'unauthenticated', 'expired');
    });
    const api = new WidgetApi({ origin: 'https://acme.mindbot.ai', fetch: fetch.impl });
    await api.signIn('a@example.com', 'pw');
    expect(await api.timeCards()).toEqual([timeCard]);
    expect(fetch.seen.map((s) => [s.method, s.url.replace('https://acme.mindbot.ai', ''), s.authorization])).toEqual([
      ['POST', '/v1/auth/password/login', undefined],
      ['GET', '/v1/time-cards', 'Bearer at1'],
      ['POST', '/v1/auth/token', undefined],
      ['GET', '/v1/time-cards', 'Bearer at2'],
    ]);

    const refused = new WidgetApi({
      origin: 'https://acme.mindbot.ai',
      fetch: fakeFetch(() => problem(503, 'unavailable', 'Billing is down.')).impl,
    });
    const error: unknown = await refused.timeCards().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MindBotApiError);
    expect(problemMessage(error, 'fallback')).toBe('Billing is down.');
  });

  it('answers the Checkout URL of a purchase and remembers it is pending', async () => {
    const purchase = {
      id: 'pur_1',
      packageId: 'pkg_starter',
      packageName: 'Starter',
      amountCents: 500,
      currency: 'eur',
      seconds: 3600,
      status: 'pending',
      checkoutUrl: 'https://checkout.stripe.com/c/pay/cs_1',
      createdAt: '2026-12-06T00:00:00Z',
      paidAt: null,
    };
    const fetch = fakeFetch((call) => (call.url.endsWith('/login') ? json(200, tokens(1)) : json(201, purchase)));
    const api = new WidgetApi({ origin: 'https://acme.mindbot.ai', fetch: fetch.impl });
    await api.signIn('a@example.com', 'pw');
    expect(await api.buy('pkg_starter')).toBe('https://checkout.stripe.com/c/pay/cs_1');
    expect(fetch.seen.at(-1)?.body).toEqual({ packageId: 'pkg_starter' });
    expect(api.hasPendingCheckout()).toBe(true);
    expect(api.takePendingCheckout()).toBe('pur_1');
    expect(api.takePendingCheckout()).toBeUndefined();

    // The page the widget is on, so Checkout comes back to it.
    await api.buy('pkg_starter', 'https://shop.example/pricing?plan=pro');
    expect(fetch.seen.at(-1)?.body).toEqual({ packageId: 'pkg_starter', returnUrl: 'https://shop.example/pricing?plan=pro' });
  });

  it('starts and ends a voice session with a start key', async () => {
    const session = {
      sessionId: 'vs_1',
      room: 'r',
      livekitUrl: 'ws://127.0.0.1:7880',
      token: 'lk',
      tokenExpiresAt: '2026-12-06T00:10:00Z',
      remainingSeconds: 600,
    };
    const fetch = fakeFetch((call) => {
      if (call.url.endsWith('/login')) return json(200, tokens(1));
      if (call.url.endsWith('/end')) return json(200, { sessionId: 'vs_1', status: 'ended', settledSeconds: 3, chargedSeconds: 60 });
      return json(201, session);
    });
    const api = new WidgetApi({ origin: 'https://acme.mindbot.ai', fetch: fetch.impl });
    await api.signIn('a@example.com', 'pw');
    expect(await api.startCall()).toMatchObject({ livekitUrl: 'ws://127.0.0.1:7880', token: 'lk' });
    await api.endCall('vs_1');
    expect(fetch.seen[1]?.body).toMatchObject({ startKey: expect.stringMatching(/^call-[0-9a-f-]{36}$/) as unknown });
    expect(fetch.seen[2]).toMatchObject({ method: 'POST', url: 'https://acme.mindbot.ai/v1/voice/sessions/vs_1/end' });
  });

  it('reads the SSO connections the branding lists (optional: older gateways leave them out)', () => {
    const api = new WidgetApi({ origin: 'https://acme.mindbot.ai' });
    const branding = {
      tenant: 'acme',
      displayName: 'Acme',
      logoUrl: 'https://acme.example/logo.svg',
      primaryColor: '#112233',
      accentColor: '#445566',
      agentName: 'Tess',
      greeting: 'Hi.',
      language: 'en',
      personas: [],
      defaultPersona: 'default',
    };
    expect(api.parseBranding(branding).ssoConnections).toBeUndefined();
    const listed = api.parseBranding({ ...branding, ssoConnections: [{ id: 'conn_okta', name: 'Acme Okta', kind: 'oidc' }] });
    expect(listed.ssoConnections).toEqual([{ id: 'conn_okta', name: 'Acme Okta', kind: 'oidc' }]);
  });

  it('recognises only its own SSO return', async () => {
    const storage = mapStorage();
    const fetch = fakeFetch(() => json(200, tokens(1)));
    const api = new WidgetApi({ origin: 'https://acme.mindbot.ai', fetch: fetch.impl, storage });
    const other = new WidgetApi({ origin: 'https://globex.mindbot.ai', fetch: fetch.impl, storage });
    const url = await api.startSso('oidc_1', 'https://acme.mindbot.ai/');
    expect(new URL(url).pathname).toBe('/v1/sso/login');
    expect(new URL(url).searchParams.get('connection')).toBe('oidc_1');
    const back = 'https://acme.mindbot.ai/#code=0123456789abcdef0123';
    expect(api.isSsoReturn(back)).toBe(true);
    expect(other.isSsoReturn(back)).toBe(false);
    await api.completeSso(back);
    expect(api.signedIn).toBe(true);
    expect(fetch.seen[0]).toMatchObject({ url: 'https://acme.mindbot.ai/v1/sso/exchange', body: { code: '0123456789abcdef0123' } });
    expect(api.isSsoReturn(back)).toBe(false);
  });
});
