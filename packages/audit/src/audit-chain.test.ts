import pg from 'pg';
import { newId } from '@mindbot/ids';
import { schemaNameOf } from '@mindbot/tenancy';
import { verifyAuditChain } from './audit-chain.js';
import { startAuditWorld, type AuditWorld } from './testing/audit-world.js';
import { listAuditEntries } from './audit-trail.js';

describe('the tamper-evident audit log', () => {
  let w: AuditWorld;

  beforeAll(async () => {
    w = await startAuditWorld('audit-chain-test', 'audit');
  });

  afterAll(async () => {
    await w.close();
  });

  const newTenant = () => w.newTenant();
  const write = (slug: string, action: string, actorId: string | null = null, target: string | null = null) =>
    w.tenants
      .forTenant(slug)
      .transaction((tx) => tx.auditEvent.create({ data: { id: newId('audit'), action, actorId, target, data: { by: 'test' } } }));
  /** What someone with direct database access could do: change a stored entry behind the services' back. */
  const tamper = async (slug: string, sql: string) => {
    const client = new pg.Client({ connectionString: w.database.url });
    await client.connect();
    try {
      const table = `${schemaNameOf(slug)}.audit_log`;
      await client.query(`ALTER TABLE ${table} DISABLE TRIGGER audit_log_append_only`);
      await client.query(sql.replaceAll('audit_log', table));
      await client.query(`ALTER TABLE ${table} ENABLE TRIGGER audit_log_append_only`);
    } finally {
      await client.end();
    }
  };

  it('chains entries written at once by many writers, and verifies every link', async () => {
    const slug = await newTenant();
    await Promise.all(Array.from({ length: 40 }, (_, i) => write(slug, `test.concurrent_${i % 4}`)));
    const verified = await w.tenants.forTenant(slug).transaction((tx) => verifyAuditChain(tx));
    expect(verified.firstBroken).toBeNull();
    expect(verified.entries).toBeGreaterThanOrEqual(40);
    const page = await w.tenants.forTenant(slug).transaction((tx) => listAuditEntries(tx, { limit: 1 }));
    expect(verified.head).toEqual({ seq: page.entries[0]?.seq, hash: page.entries[0]?.hash });
  });

  it('reports the first entry changed after it was written, and a removed entry', async () => {
    const slug = await newTenant();
    for (const action of ['a.one', 'a.two', 'a.three', 'a.four']) await write(slug, action);
    const seqOf = async (action: string) =>
      (await w.tenants.forTenant(slug).transaction((tx) => listAuditEntries(tx, { action, limit: 1 }))).entries[0]?.seq;
    const two = await seqOf('a.two');
    await tamper(slug, `UPDATE audit_log SET target = 'someone else' WHERE action = 'a.two'`);
    let verified = await w.tenants.forTenant(slug).transaction((tx) => verifyAuditChain(tx));
    expect(verified.firstBroken).toMatchObject({ seq: two, reason: expect.stringContaining('does not match its hash') });

    const other = await newTenant();
    for (const action of ['b.one', 'b.two', 'b.three']) await write(other, action);
    const middle = (await w.tenants.forTenant(other).transaction((tx) => listAuditEntries(tx, { action: 'b.two', limit: 1 }))).entries[0];
    await tamper(other, `DELETE FROM audit_log WHERE action = 'b.two'`);
    verified = await w.tenants.forTenant(other).transaction((tx) => verifyAuditChain(tx));
    expect(verified.firstBroken).toMatchObject({ seq: (middle?.seq ?? 0) + 1, reason: expect.stringContaining('missing') });
  });

  it('refuses changes through the tenant’s own role', async () => {
    const slug = await newTenant();
    await write(slug, 'c.one');
    await expect(w.tenants.forTenant(slug).transaction((tx) => tx.auditEvent.updateMany({ data: { action: 'c.two' } }))).rejects.toThrow(
      /append-only/,
    );
  });

  it('filters by actor, action family, target and time, newest first, a page at a time', async () => {
    const slug = await newTenant();
    const before = new Date();
    for (let i = 0; i < 5; i += 1) await write(slug, 'user.invited', 'usr_admin', `usr_${i}`);
    await write(slug, 'api_key.created', 'usr_other', 'key_1');
    const read = (query: Parameters<typeof listAuditEntries>[1]) =>
      w.tenants.forTenant(slug).transaction((tx) => listAuditEntries(tx, query));

    const first = await read({ actorId: 'usr_admin', limit: 2 });
    expect(first.entries.map((e) => e.target)).toEqual(['usr_4', 'usr_3']);
    const second = await read({ actorId: 'usr_admin', limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.entries.map((e) => e.target)).toEqual(['usr_2', 'usr_1']);
    const last = await read({ actorId: 'usr_admin', limit: 2, cursor: second.nextCursor ?? undefined });
    expect(last.entries.map((e) => e.target)).toEqual(['usr_0']);
    expect(last.nextCursor).toBeNull();

    expect((await read({ action: 'api_key.*', limit: 10 })).entries.map((e) => e.action)).toEqual(['api_key.created']);
    expect((await read({ target: 'usr_3', limit: 10 })).entries).toHaveLength(1);
    expect((await read({ from: before, to: new Date(), limit: 10 })).entries.length).toBeGreaterThanOrEqual(6);
    expect((await read({ to: new Date(before.getTime() - 60_000), limit: 10 })).entries.filter((e) => e.actorId === 'usr_admin')).toEqual(
      [],
    );
  });
});
