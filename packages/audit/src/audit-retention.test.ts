import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { newId } from '@mindbot/ids';
import { createLogger } from '@mindbot/logger';
import { schemaNameOf } from '@mindbot/tenancy';
import { verifyAuditChain } from './audit-chain.js';
import { startAuditWorld, type AuditWorld } from './testing/audit-world.js';
import { AUDIT_RETENTION_CRON, AUDIT_RETENTION_QUEUE, purgeExpiredAuditLogs, scheduleAuditRetention } from './audit-retention-job.js';
import { listAuditEntries } from './audit-trail.js';

const DAY = 86_400_000;

describe('audit retention per tenant', () => {
  let w: AuditWorld;
  const logger = createLogger({ name: 'audit-retention-test', level: 'silent' });

  beforeAll(async () => {
    w = await startAuditWorld('audit-retention-test', 'retain');
  });

  afterAll(async () => {
    await w.close();
  });

  const newTenant = () => w.newTenant();
  /** An entry written `daysAgo` days ago (the chain's trigger keeps the given time). */
  const write = (slug: string, action: string, daysAgo: number) =>
    w.tenants.forTenant(slug).transaction((tx) =>
      tx.auditEvent.create({
        data: { id: newId('audit'), action, actorId: null, data: {}, createdAt: new Date(Date.now() - daysAgo * DAY) },
      }),
    );
  const actions = async (slug: string) =>
    (await w.tenants.forTenant(slug).transaction((tx) => listAuditEntries(tx, { limit: 100 }))).entries.map((e) => e.action).reverse();
  const verify = (slug: string) => w.tenants.forTenant(slug).transaction((tx) => verifyAuditChain(tx));
  const purge = () => purgeExpiredAuditLogs({ platform: w.platform, tenants: w.tenants, logger, region: 'eu-west' });

  it('removes entries past the tenant’s retention (365 days unless set), records the anchor, and the kept chain still verifies', async () => {
    const defaults = await newTenant();
    const short = await newTenant();
    await w.platform.tenantAuditSetting.create({ data: { slug: short, retentionDays: 30, updatedBy: 'test' } });
    for (const slug of [defaults, short]) {
      await write(slug, 'old.400_days', 400);
      await write(slug, 'old.100_days', 100);
      await write(slug, 'recent.10_days', 10);
    }
    const before = (await verify(short)).head;

    const outcome = await purge();
    expect(outcome).toEqual(
      expect.arrayContaining([
        { tenant: defaults, retentionDays: 365, removed: 1 },
        { tenant: short, retentionDays: 30, removed: 2 },
      ]),
    );
    expect(await actions(defaults)).toEqual(['old.100_days', 'recent.10_days', 'audit.purged']);
    expect(await actions(short)).toEqual(['recent.10_days', 'audit.purged']);

    const verified = await verify(short);
    expect(verified.firstBroken).toBeNull();
    expect(verified.entries).toBe(2);
    // The anchor is the hash of the last removed entry, the one the oldest kept entry links to.
    const kept = (await w.tenants.forTenant(short).transaction((tx) => listAuditEntries(tx, { action: 'recent.10_days', limit: 1 })))
      .entries[0];
    expect(verified.anchor).toEqual({ throughSeq: (kept?.seq ?? 0) - 1, hash: expect.any(String) });
    expect(before?.seq).toBe(kept?.seq);
    expect((await verify(defaults)).firstBroken).toBeNull();

    // A second run has nothing more to remove, and the chain still starts at the same anchor.
    const again = await purge();
    expect(again.find((p) => p.tenant === short)?.removed).toBe(0);
    expect((await verify(short)).firstBroken).toBeNull();
  });

  it('still reports kept entries removed behind the purge’s back (the oldest kept one no longer follows the anchor)', async () => {
    const slug = await newTenant();
    await write(slug, 'old.one', 800);
    await write(slug, 'kept.one', 5);
    await write(slug, 'kept.two', 4);
    await purge();
    const client = new pg.Client({ connectionString: w.database.url });
    await client.connect();
    try {
      const table = `${schemaNameOf(slug)}.audit_log`;
      await client.query(`ALTER TABLE ${table} DISABLE TRIGGER audit_log_append_only`);
      await client.query(`DELETE FROM ${table} WHERE action = 'kept.one'`);
      await client.query(`ALTER TABLE ${table} ENABLE TRIGGER audit_log_append_only`);
    } finally {
      await client.end();
    }
    const verified = await verify(slug);
    expect(verified.firstBroken).toMatchObject({ reason: expect.stringContaining('missing') });
  });

  it('refuses deleting entries through the tenant’s role outside a purge, and an entry removed from the start shows without one', async () => {
    const slug = await newTenant();
    await write(slug, 'a.one', 2);
    await write(slug, 'a.two', 1);
    await expect(w.tenants.forTenant(slug).transaction((tx) => tx.auditEvent.deleteMany({ where: { action: 'a.one' } }))).rejects.toThrow(
      /append-only/,
    );
    // Claiming a purge means setting its bound in the same transaction; a bound lower than the entry does not help.
    await expect(
      w.tenants.forTenant(slug).transaction(async (tx) => {
        await tx.$executeRaw`SELECT set_config('mindbot.audit_purge_through', '0', true)`;
        await tx.auditEvent.deleteMany({ where: { action: 'a.one' } });
      }),
    ).rejects.toThrow(/append-only/);
    expect(await actions(slug)).toEqual(['a.one', 'a.two']);
    const client = new pg.Client({ connectionString: w.database.url });
    await client.connect();
    try {
      const table = `${schemaNameOf(slug)}.audit_log`;
      await client.query(`ALTER TABLE ${table} DISABLE TRIGGER audit_log_append_only`);
      await client.query(`DELETE FROM ${table} WHERE action = 'a.one'`);
      await client.query(`ALTER TABLE ${table} ENABLE TRIGGER audit_log_append_only`);
    } finally {
      await client.end();
    }
    expect((await verify(slug)).firstBroken).toMatchObject({ seq: 2, reason: 'entries 1–1 are missing' });
  });

  it('runs daily on pg-boss: the schedule is registered once, and a run purges every tenant', async () => {
    const slug = await newTenant();
    await write(slug, 'old.500_days', 500);
    await write(slug, 'kept.1_day', 1);
    const boss = new PgBoss({ connectionString: w.database.url, schema: 'pgboss_audit_test', max: 2 });
    await boss.start();
    try {
      const deps = { platform: w.platform, tenants: w.tenants, logger, region: 'eu-west' };
      await scheduleAuditRetention(boss, deps);
      await scheduleAuditRetention(boss, deps);
      const schedules = (await boss.getSchedules()).filter((s) => s.name === AUDIT_RETENTION_QUEUE);
      expect(schedules.map((s) => ({ cron: s.cron, tz: s.timezone }))).toEqual([{ cron: AUDIT_RETENTION_CRON, tz: 'UTC' }]);
      // What the cron tick does at 03:17 UTC, sent now.
      await boss.send(AUDIT_RETENTION_QUEUE, {});
      const deadline = Date.now() + 30_000;
      while ((await actions(slug)).includes('old.500_days') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await actions(slug)).toEqual(['kept.1_day', 'audit.purged']);
      expect((await verify(slug)).firstBroken).toBeNull();
    } finally {
      await boss.stop({ graceful: false });
    }
  });
});
