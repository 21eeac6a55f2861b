import request from 'supertest';
import { userReportSchema } from '@mindbot/sdk/schemas';
import { startBillingHarness, type BillingHarness } from '../testing/harness.js';

// The per-user drill-down of the usage report: what each user did over a range, and the same totals
// as the by-day report and the ledger.

interface UserRow {
  userId: string;
  email: string | null;
  sessions: number;
  seconds: number;
  purchases: number;
  revenueCents: number;
  currency: string;
}

describe('billing: the per-user usage and revenue report', () => {
  let h: BillingHarness;
  const today = new Date().toISOString().slice(0, 10);
  const admin = async (tenant?: string) => `Bearer ${await h.token(tenant ?? h.tenantA, 'usr_admin', ['admin'])}`;
  const get = async (query: string, tenant?: string) =>
    request(h.app)
      .get(`/v1/admin/reports/users?${query}`)
      .set('Authorization', await admin(tenant));

  /** A call of `seconds` by `userId`, started and ended as the gateway and the agent do. */
  const call = async (tenant: string, userId: string, key: string, seconds: number) => {
    const started = await h.internal(tenant).post('/sessions', { userId, startKey: key });
    expect(started.status).toBe(201);
    h.clock.advance(seconds + 5);
    const ended = await h.internal(tenant).post(`/sessions/${started.body.sessionId as string}/end`, { elapsedSeconds: seconds });
    expect(ended.body).toMatchObject({ status: 'ended', chargedSeconds: seconds });
  };

  beforeAll(async () => {
    h = await startBillingHarness();
    await h.deps.tenants.forTenant(h.tenantA).transaction(async (tx) => {
      await tx.user.create({ data: { id: 'usr_ada', email: 'ada@example.com' } });
      // An address a spreadsheet would run as a formula, with a comma that needs quoting.
      await tx.user.create({ data: { id: 'usr_bob', email: '=sum(1,2)@evil.example' } });
    });
    // Ada: 5.5 h bought for $44.99, two calls.
    await h.grant(h.tenantA, 'usr_ada', 'pkg_basic');
    await call(h.tenantA, 'usr_ada', 'users-report-ada-1', 42);
    await call(h.tenantA, 'usr_ada', 'users-report-ada-2', 30);
    // Bob: 1 h for $9.99, one call, and a card in euros (counted, but not revenue in the tenant's dollars).
    await h.grant(h.tenantA, 'usr_bob', 'pkg_starter');
    await call(h.tenantA, 'usr_bob', 'users-report-bob-1', 100);
    const euros = await request(h.app)
      .post('/v1/admin/packages')
      .set('Authorization', await admin())
      .send({ name: 'Euro hour', priceCents: 900, currency: 'eur', baseSeconds: 3600 });
    expect(euros.status).toBe(201);
    await h.buyCard(h.tenantA, 'usr_bob', euros.body.id as string);
    // A buyer whose account is gone (no row in the tenant's users).
    await h.buyCard(h.tenantA, 'usr_gone', 'pkg_starter');
    // Another tenant's user, busier than anyone in A.
    await h.grant(h.tenantB, 'usr_other_tenant', 'pkg_basic');
    await call(h.tenantB, 'usr_other_tenant', 'users-report-b-1', 500);
  }, 180_000);

  afterAll(async () => {
    await h.close();
  });

  it("answers each user's sessions, seconds charged, purchases and revenue, most seconds first", async () => {
    const res = await get(`from=${today}&to=${today}`);
    expect(res.status).toBe(200);
    expect(userReportSchema.parse(res.body)).toEqual({
      from: today,
      to: today,
      users: [
        { userId: 'usr_bob', email: '=sum(1,2)@evil.example', sessions: 1, seconds: 100, purchases: 2, revenueCents: 999, currency: 'usd' },
        { userId: 'usr_ada', email: 'ada@example.com', sessions: 2, seconds: 72, purchases: 1, revenueCents: 4499, currency: 'usd' },
        { userId: 'usr_gone', email: null, sessions: 0, seconds: 0, purchases: 1, revenueCents: 999, currency: 'usd' },
      ],
      nextCursor: null,
    });
  });

  it('adds up to the by-day report of the same range and to the ledger', async () => {
    const users = (await get(`from=${today}&to=${today}`)).body.users as UserRow[];
    const byDay = await request(h.app)
      .get(`/v1/admin/reports?from=${today}&to=${today}`)
      .set('Authorization', await admin());
    const usage = byDay.body.usage as { sessions: number; usageSeconds: number; purchasesPaid: number }[];
    const revenue = byDay.body.revenue as { currency: string; grossCents: number }[];
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect({
      sessions: sum(users.map((u) => u.sessions)),
      seconds: sum(users.map((u) => u.seconds)),
      purchases: sum(users.map((u) => u.purchases)),
      revenueCents: sum(users.map((u) => u.revenueCents)),
    }).toEqual({
      sessions: sum(usage.map((d) => d.sessions)),
      seconds: sum(usage.map((d) => d.usageSeconds)),
      purchases: sum(usage.map((d) => d.purchasesPaid)),
      revenueCents: sum(revenue.filter((r) => r.currency === 'usd').map((r) => r.grossCents)),
    });
    expect(revenue.map((r) => r.currency).sort()).toEqual(['eur', 'usd']);
    const charged = await h.deps.tenants
      .forTenant(h.tenantA)
      .transaction(
        (tx) => tx.$queryRaw<{ seconds: number }[]>`SELECT (-sum(seconds))::int AS seconds FROM ledger_entries WHERE kind = 'usage'`,
      );
    expect(sum(users.map((u) => u.seconds))).toBe(charged[0]?.seconds);
    expect(await h.ledgerProblems(h.tenantA)).toEqual([]);
  });

  it('pages with limit and cursor, each user once', async () => {
    const first = await get(`from=${today}&to=${today}&limit=2`);
    expect((first.body.users as UserRow[]).map((u) => u.userId)).toEqual(['usr_bob', 'usr_ada']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(`from=${today}&to=${today}&limit=2&cursor=${first.body.nextCursor as string}`);
    expect((second.body.users as UserRow[]).map((u) => u.userId)).toEqual(['usr_gone']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('exports CSV with a header row, quoting, and formulas defused', async () => {
    const csv = await get(`from=${today}&to=${today}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="users-${today}-${today}.csv"`);
    expect(csv.headers['x-next-cursor']).toBeUndefined();
    expect(csv.text).toBe(
      'userId,email,sessions,seconds,purchases,revenueCents,currency\r\n' +
        `usr_bob,"'=sum(1,2)@evil.example",1,100,2,999,usd\r\n` +
        'usr_ada,ada@example.com,2,72,1,4499,usd\r\n' +
        'usr_gone,,0,0,1,999,usd\r\n',
    );
    const page = await get(`from=${today}&to=${today}&format=csv&limit=1`);
    expect(page.text.split('\r\n')).toHaveLength(3);
    expect(page.headers['x-next-cursor']).toBe('1');
  });

  it("never shows another tenant's users", async () => {
    const ofA = (await get(`from=${today}&to=${today}`)).body.users as UserRow[];
    expect(ofA.map((u) => u.userId)).not.toContain('usr_other_tenant');
    const ofB = (await get(`from=${today}&to=${today}`, h.tenantB)).body.users as UserRow[];
    expect(ofB).toEqual([
      { userId: 'usr_other_tenant', email: null, sessions: 1, seconds: 500, purchases: 1, revenueCents: 4499, currency: 'usd' },
    ]);
  });

  it('answers an empty report for a range without activity', async () => {
    const res = await get('from=2025-01-01&to=2025-01-31');
    expect(res.body).toEqual({ from: '2025-01-01', to: '2025-01-31', users: [], nextCursor: null });
  });

  it('refuses a bad range, limit or cursor with 400 naming the field', async () => {
    for (const [query, field] of [
      ['from=2026-02-01&to=2026-01-01', 'query.to'],
      ['from=2020-01-01&to=2026-01-01', 'query.to'],
      ['from=yesterday&to=2026-01-01', 'query.from'],
      ['from=2026-01-01', 'query.to'],
      ['from=2026-01-01&to=2026-01-02&limit=1001', 'query.limit'],
      ['from=2026-01-01&to=2026-01-02&limit=0', 'query.limit'],
      ['from=2026-01-01&to=2026-01-02&cursor=usr_ada', 'query.cursor'],
      ['from=2026-01-01&to=2026-01-02&format=xlsx', 'query.format'],
    ] as const) {
      const res = await get(query);
      expect([query, res.status, res.headers['content-type']]).toEqual([query, 400, expect.stringMatching(/^application\/problem\+json/)]);
      expect((res.body.errors as { path: string }[]).map((e) => e.path)).toContain(field);
    }
  });

  it('is for admins only: a member gets 403, an anonymous caller 401', async () => {
    const member = `Bearer ${await h.token(h.tenantA, 'usr_ada', ['member'])}`;
    const path = `/v1/admin/reports/users?from=${today}&to=${today}`;
    expect((await request(h.app).get(path).set('Authorization', member)).status).toBe(403);
    expect((await request(h.app).get(path)).status).toBe(401);
  });
});
