import { ConsoleApi, MindBotApiError } from './console-api.js';
import type { KeyValueStorage } from './token-store.js';

// The console's data layer against a fake API (fetch), as a browser tab would use it.

const ORIGIN = 'https://acme.mindbot.test';

function tokens(n: number) {
  return { token_type: 'Bearer', access_token: `access-${n}`, expires_in: 900, refresh_token: `refresh-${n}`, session_id: 'ses_1' };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function problem(status: number, detail: string, extra: Record<string, unknown> = {}): Response {
  return json(status, { type: 'about:blank', title: 'Refused', status, detail, code: 'refused', ...extra });
}

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem = (key: string) => this.map.get(key) ?? null;
  setItem = (key: string, value: string) => void this.map.set(key, value);
  removeItem = (key: string) => void this.map.delete(key);
}

interface Call {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
}

/** A fake API: `answer` decides each response; every request is recorded. */
function fakeApi(answer: (call: Call) => Response) {
  const calls: Call[] = [];
  const fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const headers = new Headers(init?.headers);
    const call = {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      authorization: headers.get('authorization'),
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
    };
    calls.push(call);
    return Promise.resolve(answer(call));
  };
  return { calls, fetch };
}

const PACKAGE = {
  id: 'pkg_a',
  name: 'A',
  description: '',
  priceCents: 999,
  currency: 'usd',
  baseSeconds: 600,
  bonusSeconds: 0,
  totalSeconds: 600,
};

describe('the console’s data layer', () => {
  it('keeps the access token in memory only and the refresh token in the tab’s storage, scoped to the tenant host', async () => {
    const storage = new MapStorage();
    const { fetch } = fakeApi(() => json(200, tokens(1)));
    const api = new ConsoleApi({ origin: ORIGIN, fetch, storage });
    await api.signIn('olivia@acme.example', 'correct horse battery staple 42');
    expect(api.signedIn).toBe(true);
    expect([...storage.map.entries()]).toEqual([['mindbot-console:acme.mindbot.test:refresh', 'refresh-1']]);
  });

  it('after a reload, signs in again with the stored refresh token (rotated), and not at all without one', async () => {
    const storage = new MapStorage();
    storage.setItem('mindbot-console:acme.mindbot.test:refresh', 'refresh-1');
    const { fetch, calls } = fakeApi(() => json(200, tokens(2)));
    const api = new ConsoleApi({ origin: ORIGIN, fetch, storage });
    expect(await api.resume()).toBe(true);
    expect(calls).toEqual([
      { method: 'POST', path: '/v1/auth/token', authorization: null, body: { grant_type: 'refresh_token', refresh_token: 'refresh-1' } },
    ]);
    expect(storage.getItem('mindbot-console:acme.mindbot.test:refresh')).toBe('refresh-2');
    expect(await new ConsoleApi({ origin: ORIGIN, fetch, storage: new MapStorage() }).resume()).toBe(false);
  });

  it('refreshes an expired access token once and sends the refused call again with the new one', async () => {
    const { fetch, calls } = fakeApi((call) => {
      if (call.path === '/v1/auth/password/login') return json(200, tokens(1));
      if (call.path === '/v1/auth/token') return json(200, tokens(2));
      return call.authorization === 'Bearer access-2' ? json(200, { packages: [PACKAGE] }) : problem(401, 'Expired.');
    });
    const api = new ConsoleApi({ origin: ORIGIN, fetch, storage: new MapStorage() });
    await api.signIn('olivia@acme.example', 'pw');
    expect(await api.packages()).toEqual([{ ...PACKAGE, active: true, sortOrder: 0 }]);
    expect(calls.map((c) => `${c.method} ${c.path} ${c.authorization ?? '-'}`)).toEqual([
      'POST /v1/auth/password/login -',
      'GET /v1/admin/packages Bearer access-1',
      'POST /v1/auth/token -',
      'GET /v1/admin/packages Bearer access-2',
    ]);
  });

  it('signs out locally and tells the app when the refresh token no longer works', async () => {
    const storage = new MapStorage();
    const { fetch } = fakeApi((call) => (call.path === '/v1/auth/password/login' ? json(200, tokens(1)) : problem(401, 'Session ended.')));
    const api = new ConsoleApi({ origin: ORIGIN, fetch, storage });
    await api.signIn('olivia@acme.example', 'pw');
    let signedOut = 0;
    api.onSignedOut(() => signedOut++);
    await expect(api.users()).rejects.toMatchObject({ status: 401 });
    expect([api.signedIn, signedOut, storage.map.size]).toEqual([false, 1, 0]);
  });

  it('raises a refusal as the API’s problem (status, words, fields), and a 403 is not retried', async () => {
    const { fetch, calls } = fakeApi((call) =>
      call.path === '/v1/auth/password/login'
        ? json(200, tokens(1))
        : problem(403, 'Admins only.', { errors: [{ path: 'body.priceCents', message: 'must be at least 50' }] }),
    );
    const api = new ConsoleApi({ origin: ORIGIN, fetch, storage: new MapStorage() });
    await api.signIn('olivia@acme.example', 'pw');
    const refusal: unknown = await api
      .createPackage({ name: 'X', priceCents: 1, currency: 'usd', baseSeconds: 60 })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(MindBotApiError);
    expect(refusal).toMatchObject({ status: 403, message: 'Admins only.', problem: { errors: [{ path: 'body.priceCents' }] } });
    expect(calls).toHaveLength(2);
  });

  it('sends only the query it has (no empty search), and clears a console branding value with null', async () => {
    const view = {
      settings: {
        displayName: 'Acme',
        agentName: 'Tess',
        primaryColor: '#0f766e',
        accentColor: '#445566',
        logoUrl: null,
        greeting: 'Hi',
        voice: 'aurora',
        language: 'en',
        instructions: 'Be kind.',
      },
      managedBy: {
        displayName: 'manifest',
        agentName: 'console',
        primaryColor: 'manifest',
        accentColor: 'default',
        logoUrl: 'default',
        greeting: 'console',
        voice: 'default',
        language: 'default',
        instructions: 'manifest',
      },
    };
    const { fetch, calls } = fakeApi((call) => {
      if (call.path === '/v1/auth/password/login') return json(200, tokens(1));
      if (call.path.startsWith('/v1/users')) return json(200, { users: [], nextCursor: null });
      return json(200, view);
    });
    const api = new ConsoleApi({ origin: ORIGIN, fetch, storage: new MapStorage() });
    await api.signIn('olivia@acme.example', 'pw');
    await api.users({ q: '' });
    await api.users({ q: 'oli', cursor: 'usr_01' });
    const saved = await api.updateBranding({ greeting: null });
    expect(calls.slice(1).map((c) => [c.method, c.path, c.body])).toEqual([
      ['GET', '/v1/users', undefined],
      ['GET', '/v1/users?q=oli&cursor=usr_01', undefined],
      ['PATCH', '/v1/admin/branding', { greeting: null }],
    ]);
    expect(saved.managedBy.agentName).toBe('console');
  });

  it('lists the tenants it sells to (figures null for another region) and opens one’s console with a handoff', async () => {
    const child = {
      slug: 'globex',
      displayName: 'Globex',
      region: 'eu',
      status: 'active',
      origin: 'https://globex.mindbot.test',
      consoleUrl: 'https://globex.mindbot.test/console',
      sessions: null,
      seconds: null,
      revenueCents: null,
      currency: 'eur',
    };
    const { fetch, calls } = fakeApi((call) => {
      if (call.path === '/v1/auth/password/login') return json(200, tokens(1));
      if (call.path.startsWith('/v1/reseller/tenants'))
        return json(200, { from: '2026-11-07', to: '2026-12-06', tenants: [child], nextCursor: null });
      return json(200, { tenant: 'globex', consoleUrl: 'https://globex.mindbot.test/console/handoff#code=abc', expiresInSeconds: 60 });
    });
    const api = new ConsoleApi({ origin: ORIGIN, fetch, storage: new MapStorage() });
    await api.signIn('olivia@acme.example', 'pw');
    const list = await api.resellerTenants('2026-11-07', '2026-12-06');
    const handoff = await api.resellerHandoff('globex');
    expect(list.tenants).toEqual([child]);
    expect(handoff.consoleUrl).toBe('https://globex.mindbot.test/console/handoff#code=abc');
    expect(calls.slice(1).map((c) => [c.method, c.path, c.authorization, c.body])).toEqual([
      ['GET', '/v1/reseller/tenants?from=2026-11-07&to=2026-12-06', 'Bearer access-1', undefined],
      ['POST', '/v1/sso/reseller-handoff', 'Bearer access-1', { tenant: 'globex' }],
    ]);
  });

  it('redeems a handoff code anonymously (no PKCE verifier) and is then signed in; a spent code is the API’s refusal', async () => {
    const storage = new MapStorage();
    let redeemed = 0;
    const { fetch, calls } = fakeApi(() => (redeemed++ === 0 ? json(200, tokens(7)) : problem(400, 'The code is invalid or expired.')));
    const api = new ConsoleApi({ origin: ORIGIN, fetch, storage });
    await api.redeemHandoff('code-0123456789abcdef');
    expect(api.signedIn).toBe(true);
    expect(storage.getItem('mindbot-console:acme.mindbot.test:refresh')).toBe('refresh-7');
    expect(calls).toEqual([{ method: 'POST', path: '/v1/sso/exchange', authorization: null, body: { code: 'code-0123456789abcdef' } }]);
    await expect(api.redeemHandoff('code-0123456789abcdef')).rejects.toMatchObject({ status: 400 });
  });

  it('reads the audit log with only the filters set, the next page by cursor, and the same filters as CSV', async () => {
    const entry = {
      seq: 3,
      id: 'aud_3',
      actorId: 'usr_1',
      actorEmail: 'olivia@acme.example',
      action: 'user.invited',
      target: 'inv_1',
      data: { email: 'new@acme.example' },
      requestId: null,
      createdAt: '2026-12-06T10:00:00.000Z',
      hash: 'h3',
    };
    const { fetch, calls } = fakeApi((call) => {
      if (call.path === '/v1/auth/password/login') return json(200, tokens(1));
      if (call.path.includes('format=csv'))
        return new Response('seq,action\n3,user.invited\n', {
          status: 200,
          headers: { 'content-type': 'text/csv', 'content-disposition': 'attachment; filename="audit-acme.csv"' },
        });
      return json(200, { entries: [entry], nextCursor: call.path.includes('cursor=') ? null : '3' });
    });
    const api = new ConsoleApi({ origin: ORIGIN, fetch, storage: new MapStorage() });
    await api.signIn('olivia@acme.example', 'pw');
    const filters = { action: ' user.* ', actor: '', from: '2026-12-01T00:00:00.000Z' };
    const first = await api.auditEvents(filters);
    const second = await api.auditEvents(filters, first.nextCursor ?? undefined);
    const csv = await api.auditCsv(filters);
    expect([first.entries, first.nextCursor, second.nextCursor]).toEqual([[entry], '3', null]);
    expect([csv.name, await csv.blob.text()]).toEqual(['audit-acme.csv', 'seq,action\n3,user.invited\n']);
    expect(calls.slice(1).map((c) => c.path)).toEqual([
      '/v1/audit-events?action=user.*&from=2026-12-01T00%3A00%3A00.000Z',
      '/v1/audit-events?action=user.*&from=2026-12-01T00%3A00%3A00.000Z&cursor=3',
      '/v1/audit-events?action=user.*&from=2026-12-01T00%3A00%3A00.000Z&format=csv',
    ]);
  });
});
