import { randomInt } from 'node:crypto';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { newId } from '@mindbot/ids';
import { tenantKey } from '@mindbot/redis';
import { erasureSchema, personalDataExportSchema } from '@mindbot/sdk/schemas';
import { schemaNameOf } from '@mindbot/tenancy';
import { startSsoHarness, type SsoHarness, type TestTenant } from '../testing/sso-harness.js';

/** A quoted identifier for SQL built from the tenant's own catalog (table and schema names). */
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

describe('GDPR: a user’s data export and erasure', () => {
  let h: SsoHarness;
  let acme: TestTenant;
  let other: TestTenant;
  const password = 'correct horse battery staple';

  beforeAll(async () => {
    h = await startSsoHarness();
    acme = await h.tenant('gdpr');
    other = await h.tenant('gdpr-other');
  });

  afterAll(async () => {
    await h.close();
  });

  const as = (tenant: TestTenant, token: string) => ({ Host: tenant.host, Authorization: `Bearer ${token}` });
  const register = async (tenant: TestTenant, displayName: string) => {
    const email = `${displayName.toLowerCase().replaceAll(' ', '.')}-${newId('user').slice(-10)}@people.test`;
    const res = await request(h.app)
      .post('/v1/auth/password/register')
      .set('Host', tenant.host)
      .send({ email, password, displayName })
      .expect(201);
    const tokens = res.body as { access_token: string; refresh_token: string; session_id: string };
    return { ...tokens, email, displayName, userId: decodeJwt(tokens.access_token).sub ?? '' };
  };

  /** What billing writes for a paid, activated, partly used time card, a voice session and what was said in it. */
  const seedBilling = (slug: string, userId: string) =>
    h.deps.tenants.forTenant(slug).transaction(async (tx) => {
      const [pkg] = await tx.$queryRaw<{ id: string; name: string }[]>`SELECT id, name FROM packages ORDER BY id LIMIT 1`;
      const purchase = newId('purchase');
      const card = newId('timeCard');
      const lot = newId('minuteLot');
      const session = newId('voiceSession');
      const code = Array.from({ length: 12 }, () => '23456789ABCDEFGHJKMNPQRSTUVWXYZ'[randomInt(31)]).join('');
      await tx.$executeRaw`INSERT INTO purchases (id, user_id, package_id, package_name, amount_cents, currency, application_fee_cents, seconds, status, paid_at)
        VALUES (${purchase}, ${userId}, ${pkg?.id}, ${pkg?.name}, 999, 'usd', 100, 3600, 'paid', now())`;
      await tx.$executeRaw`INSERT INTO time_cards (id, purchase_id, owner_id, activation_code, seconds, status, activated_by, activated_at, code_expires_at)
        VALUES (${card}, ${purchase}, ${userId}, ${code}, 3600, 'active', ${userId}, now(), now() + interval '1 year')`;
      await tx.$executeRaw`INSERT INTO minute_lots (id, time_card_id, user_id, granted_seconds, remaining_seconds, expires_at)
        VALUES (${lot}, ${card}, ${userId}, 3600, 3540, now() + interval '1 year')`;
      await tx.$executeRaw`INSERT INTO voice_sessions (id, user_id, start_key, status, settled_seconds, charged_seconds, ended_at, end_reason)
        VALUES (${session}, ${userId}, ${newId('session')}, 'ended', 60, 60, now(), 'user')`;
      await tx.$executeRaw`INSERT INTO ledger_entries (id, user_id, lot_id, session_id, kind, seconds, idempotency_key)
        VALUES (${newId('ledgerEntry')}, ${userId}, ${lot}, NULL, 'credit', 3600, ${`credit:${card}`}),
               (${newId('ledgerEntry')}, ${userId}, ${lot}, ${session}, 'usage', -60, ${`usage:${session}`})`;
      await tx.$executeRaw`INSERT INTO voice_session_events (session_id, seq, user_id, kind, text)
        VALUES (${session}, 0, ${userId}, 'user', 'Hello, I am calling about my order'), (${session}, 1, ${userId}, 'agent', 'Happy to help')`;
      return { purchase, card, lot, session };
    });

  const financialRows = async (slug: string, ids: { purchase: string; card: string; lot: string; session: string }) => {
    const schema = ident(schemaNameOf(slug));
    const { rows } = await h.deps.pool.query<{ owner: string }>(
      `SELECT user_id AS owner FROM ${schema}.purchases WHERE id = $1
       UNION ALL SELECT owner_id FROM ${schema}.time_cards WHERE id = $2
       UNION ALL SELECT user_id FROM ${schema}.minute_lots WHERE id = $3
       UNION ALL SELECT user_id FROM ${schema}.voice_sessions WHERE id = $4
       UNION ALL SELECT user_id FROM ${schema}.ledger_entries WHERE lot_id = $3`,
      [ids.purchase, ids.card, ids.lot, ids.session],
    );
    return rows.map((r) => r.owner);
  };

  /** Every row of every table of the tenant's schema whose text contains the needle (case-insensitive). */
  const findEverywhere = async (slug: string, needle: string) => {
    const schema = schemaNameOf(slug);
    const { rows: tables } = await h.deps.pool.query<{ table_name: string }>(
      `SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['users', 'purchases', 'ledger_entries', 'audit_log']));
    const hits: { table: string; row: string }[] = [];
    for (const { table_name: table } of tables) {
      const { rows } = await h.deps.pool.query<{ row: string }>(
        `SELECT t::text AS row FROM ${ident(schema)}.${ident(table)} t WHERE strpos(lower(t::text), lower($1)) > 0`,
        [needle],
      );
      hits.push(...rows.map((r) => ({ table, row: r.row })));
    }
    return hits;
  };

  /** Every entry's hash recomputed by the database and every link checked (what `mindbot audit verify` does). */
  const chainHolds = async (slug: string) => {
    const [result] = await h.deps.tenants.forTenant(slug).transaction(
      (tx) => tx.$queryRaw<{ broken: bigint }[]>`
        SELECT count(*) AS broken FROM (
          SELECT seq, hash, prev_hash, audit_entry_hash(prev_hash, a) AS recomputed,
                 lag(hash) OVER (ORDER BY seq) AS hash_before, lag(seq) OVER (ORDER BY seq) AS seq_before
          FROM audit_log a) c
        WHERE recomputed <> hash OR (seq_before IS NOT NULL AND (prev_hash <> hash_before OR seq <> seq_before + 1))`,
    );
    return result?.broken === 0n;
  };

  it('exports everything held about the signed-in user as a JSON file, and an admin can export it too; both are audited', async () => {
    const ann = await register(acme, 'Ann Example');
    const ids = await seedBilling(acme.slug, ann.userId);
    const res = await request(h.app).get('/v1/me/export').set(as(acme, ann.access_token)).expect(200);
    expect(res.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="?personal-data-${ann.userId}\\.json"?$`));
    const exported = personalDataExportSchema.parse(res.body);
    expect(exported.user).toMatchObject({ id: ann.userId, email: ann.email, displayName: 'Ann Example', hasPassword: true });
    expect(JSON.stringify(exported)).not.toContain('password_hash');
    expect(exported.roles.map((r) => r.name)).toEqual(['member']);
    expect(exported.sessions.map((s) => s.id)).toEqual([ann.session_id]);
    expect(exported.purchases.map((p) => p.id)).toEqual([ids.purchase]);
    expect(exported.timeCards.map((c) => c.id)).toEqual([ids.card]);
    expect(exported.minuteLots.map((l) => l.id)).toEqual([ids.lot]);
    expect(exported.ledgerEntries.map((e) => e.seconds)).toEqual(expect.arrayContaining([3600, -60]));
    expect(exported.voiceSessions.map((s) => s.id)).toEqual([ids.session]);
    expect(exported.voiceSessionEvents.map((e) => e.text)).toEqual(['Hello, I am calling about my order', 'Happy to help']);
    expect(exported.auditEntries.map((e) => e.action)).toEqual(expect.arrayContaining(['password.registered']));

    const admin = await h.tokenFor(acme, ['admin']);
    const byAdmin = personalDataExportSchema.parse(
      (await request(h.app).get(`/v1/users/${ann.userId}/export`).set(as(acme, admin)).expect(200)).body,
    );
    expect(byAdmin.purchases.map((p) => p.id)).toEqual([ids.purchase]);
    expect(byAdmin.auditEntries.map((e) => e.action)).toContain('user.data_exported');
    const audited = (await h.auditActions(acme)).filter((a) => a.action === 'user.data_exported').map((a) => a.data);
    expect(audited).toEqual(expect.arrayContaining([{ by: 'self' }, { by: 'admin' }]));

    // Another tenant's admin gets the same 404 as for nobody; a member may not export others.
    const otherAdmin = await h.tokenFor(other, ['admin']);
    expect((await request(h.app).get(`/v1/users/${ann.userId}/export`).set(as(other, otherAdmin))).status).toBe(404);
    expect(
      (
        await request(h.app)
          .get(`/v1/users/${newId('user')}/export`)
          .set(as(acme, admin))
      ).status,
    ).toBe(404);
    const bob = await register(acme, 'Bob Member');
    expect((await request(h.app).get(`/v1/users/${ann.userId}/export`).set(as(acme, bob.access_token))).status).toBe(403);
    expect((await request(h.app).get('/v1/me/export').set('Host', acme.host)).status).toBe(401);
  });

  it('erases the user everywhere: only the retention rule’s remains are found, financial records are kept under a pseudonym, tokens and Redis keys are gone, the chain verifies', async () => {
    const cara = await register(acme, 'Cara Erasable');
    const ids = await seedBilling(acme.slug, cara.userId);
    const admin = await h.tokenFor(acme, ['admin']);
    // Audit entries about her (blocking also ends her first session), then two live sessions.
    await request(h.app).post(`/v1/users/${cara.userId}/block`).set(as(acme, admin)).expect(200);
    await request(h.app).post(`/v1/users/${cara.userId}/unblock`).set(as(acme, admin)).expect(200);
    const signIn = async () =>
      (await request(h.app).post('/v1/auth/password/login').set('Host', acme.host).send({ email: cara.email, password }).expect(200))
        .body as { access_token: string; refresh_token: string };
    const first = await signIn();
    const second = await signIn();
    await h.deps.tenants
      .forTenant(acme.slug)
      .transaction((tx) =>
        h.sso.auditor.recordIn(tx, acme.slug, { action: 'test.mentioned', target: cara.userId, personal: { email: cara.email } }),
      );
    // What a sign-in leaves in Redis for a while, and a key of someone else that must stay.
    const redis = h.deps.redis;
    if (!redis) throw new Error('the harness runs with Redis');
    const named = tenantKey(acme.slug, 'sso', 'test-user', cara.userId);
    const valued = tenantKey(acme.slug, 'sso', 'code', newId('user'));
    const unrelated = tenantKey(acme.slug, 'sso', 'code', newId('user'));
    await redis.set(named, '1', 'EX', 300);
    await redis.set(valued, JSON.stringify({ userId: cara.userId, email: cara.email }), 'EX', 300);
    await redis.set(unrelated, JSON.stringify({ userId: 'usr_someone_else' }), 'EX', 300);

    // A wrong confirmation erases nothing.
    const wrong = await request(h.app).delete('/v1/me').set(as(acme, first.access_token)).send({ confirm: 'someone@else.test' });
    expect(wrong.status).toBe(422);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect((await request(h.app).delete('/v1/me').set(as(acme, first.access_token)).send({})).status).toBe(400);
    expect((await findEverywhere(acme.slug, cara.email)).length).toBeGreaterThan(0);

    const erased = erasureSchema.parse(
      (await request(h.app).delete('/v1/me').set(as(acme, first.access_token)).send({ confirm: cara.email.toUpperCase() }).expect(200))
        .body,
    );
    expect(erased).toEqual({ erased: true, sessionsEnded: 2, financialRecordsKept: 6 });

    // Every access and refresh token stops working at once.
    for (const token of [first.access_token, second.access_token])
      expect((await request(h.app).get('/v1/auth/me').set(as(acme, token))).status).toBe(401);
    for (const refresh of [first.refresh_token, second.refresh_token])
      expect(
        (await request(h.app).post('/v1/auth/token').set('Host', acme.host).send({ grant_type: 'refresh_token', refresh_token: refresh }))
          .status,
      ).toBe(401);
    expect((await request(h.app).post('/v1/auth/password/login').set('Host', acme.host).send({ email: cara.email, password })).status).toBe(
      401,
    );

    // Her email and name are nowhere in the tenant's schema; her id only in audit entries' hashed columns (the retention rule).
    expect(await findEverywhere(acme.slug, cara.email)).toEqual([]);
    expect(await findEverywhere(acme.slug, cara.displayName)).toEqual([]);
    expect(await findEverywhere(acme.slug, cara.session_id)).toEqual([]);
    const idHits = await findEverywhere(acme.slug, cara.userId);
    expect(idHits.length).toBeGreaterThan(0);
    expect(new Set(idHits.map((hit) => hit.table))).toEqual(new Set(['audit_log']));
    const { rows: personal } = await h.deps.pool.query<{ personal: unknown }>(
      `SELECT personal FROM ${ident(schemaNameOf(acme.slug))}.audit_log WHERE actor_id = $1 OR target = $1`,
      [cara.userId],
    );
    expect(personal.map((p) => p.personal)).toEqual(personal.map(() => ({})));

    // The bookkeeping stays, all under one pseudonym that is not her id.
    const owners = await financialRows(acme.slug, ids);
    expect(owners).toHaveLength(6);
    expect(new Set(owners).size).toBe(1);
    expect(owners[0]).toMatch(/^anon_[0-9a-f]{32}$/);
    expect(await findEverywhere(acme.slug, owners[0] ?? 'anon_')).toEqual(
      expect.not.arrayContaining([expect.objectContaining({ table: 'audit_log' })]),
    );

    expect(await redis.exists(named, valued)).toBe(0);
    expect(await redis.exists(unrelated)).toBe(1);
    expect(await chainHolds(acme.slug)).toBe(true);
    expect((await h.auditActions(acme)).filter((a) => a.action === 'user.erased').map((a) => a.data)).toContainEqual({
      by: 'self',
      sessionsEnded: 2,
      financialRecordsKept: 6,
    });
    await redis.del(unrelated);
  });

  it('lets an admin erase a user (confirming the id); refuses members (403), another tenant’s user (404), oneself (422), owners for admins (403); nothing changes when refused', async () => {
    const dan = await register(acme, 'Dan Target');
    const ids = await seedBilling(acme.slug, dan.userId);
    const admin = await h.tokenFor(acme, ['admin']);
    const member = await register(acme, 'Eve Member');
    const owner = await h.tokenFor(acme, ['owner']);
    const ownerId = decodeJwt(owner).sub ?? '';
    const otherAdmin = await h.tokenFor(other, ['admin']);
    const erase = (tenant: TestTenant, token: string, userId: string, confirm: unknown = userId) =>
      request(h.app).post(`/v1/users/${userId}/erasure`).set(as(tenant, token)).send({ confirm });

    const refusals = [
      [await erase(acme, member.access_token, dan.userId), 403],
      [await erase(other, otherAdmin, dan.userId), 404],
      [await erase(acme, admin, newId('user')), 404],
      [await erase(acme, admin, dan.userId, newId('user')), 422],
      [await erase(acme, admin, dan.userId, 42), 400],
      [await erase(acme, admin, decodeJwt(admin).sub ?? ''), 422],
      [await erase(acme, admin, ownerId), 403],
      [await request(h.app).post(`/v1/users/${dan.userId}/erasure`).set('Host', acme.host).send({ confirm: dan.userId }), 401],
    ] as const;
    expect(refusals.map(([res]) => res.status)).toEqual(refusals.map(([, status]) => status));
    expect(await financialRows(acme.slug, ids)).toEqual(Array.from({ length: 6 }, () => dan.userId));
    expect((await findEverywhere(acme.slug, dan.email)).map((hit) => hit.table)).toContain('users');
    expect((await request(h.app).get('/v1/auth/me').set(as(acme, dan.access_token))).status).toBe(200);

    const erased = erasureSchema.parse((await erase(acme, admin, dan.userId).expect(200)).body);
    expect(erased).toMatchObject({ erased: true, sessionsEnded: 1, financialRecordsKept: 6 });
    expect((await request(h.app).get('/v1/auth/me').set(as(acme, dan.access_token))).status).toBe(401);
    expect(await findEverywhere(acme.slug, dan.email)).toEqual([]);
    expect((await erase(acme, admin, dan.userId)).status).toBe(404);
    expect(await chainHolds(acme.slug)).toBe(true);
  });
});
