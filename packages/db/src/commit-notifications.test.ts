import pg from 'pg';
import { createTestDatabase, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { schemaNameOf } from '@mindbot/tenancy';
import { afterCommit } from './commit-notifications.js';
import { createPool, type Pool } from './pool.js';
import { MigrationRunner } from './migrations/migration-runner.js';
import { ensureTenantSchema } from './tenant-schema.js';
import { TenantClients } from './tenant-clients.js';

// Wake-ups of other processes (the outbox relay) go out once a tenant transaction has committed,
// batched across transactions, never from a transaction that rolled back.
describe('notifications after commit (afterCommit)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let clients: TenantClients;
  let listener: pg.Client;
  const heard: string[] = [];
  const slug = uniqueSlug('notes');
  const channel = 'mindbot_test_after_commit';

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 8 });
    const runner = await MigrationRunner.load(pool);
    await runner.migrate({ kind: 'platform', schema: 'platform' });
    await ensureTenantSchema(pool, slug);
    await runner.migrate({ kind: 'tenant', schema: schemaNameOf(slug), role: schemaNameOf(slug) });
    clients = new TenantClients(pool);
    listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query(`LISTEN ${channel}`);
  });

  afterAll(async () => {
    await listener.end();
    await clients.close();
    await pool.end();
    await database.dispose();
  });

  const heardSoon = async (count: number): Promise<string[]> => {
    for (let i = 0; i < 50 && heard.length < count; i++) await new Promise((r) => setTimeout(r, 20));
    // A moment more, so a notification sent twice would show.
    await new Promise((r) => setTimeout(r, 100));
    return heard.splice(0);
  };

  it('sends once the transaction has committed, naming its schema', async () => {
    let sentBeforeCommit = true;
    await clients.forTenant(slug).transaction(async (tx) => {
      await tx.user.create({ data: { id: 'usr_committed', email: 'c@notes.example' } });
      expect(afterCommit(tx, (committed) => committed.notify(channel, committed.schema))).toBe(true);
      await new Promise((r) => setTimeout(r, 50));
      sentBeforeCommit = heard.length > 0;
    });
    expect(sentBeforeCommit).toBe(false);
    expect(await heardSoon(1)).toEqual([schemaNameOf(slug)]);
  });

  it('sends nothing for a transaction that rolled back', async () => {
    await expect(
      clients.forTenant(slug).transaction((tx) => {
        afterCommit(tx, (committed) => committed.notify(channel, 'rolled-back'));
        return Promise.reject(new Error('changed my mind'));
      }),
    ).rejects.toThrow('changed my mind');
    expect(await heardSoon(1)).toEqual([]);
  });

  it('sends one notification for many transactions committing at the same moment', async () => {
    await Promise.all(
      Array.from({ length: 20 }, () =>
        clients.forTenant(slug).transaction(async (tx) => {
          afterCommit(tx, (committed) => committed.notify(channel, committed.schema));
          await Promise.resolve();
        }),
      ),
    );
    const sent = await heardSoon(1);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeLessThan(20);
    expect(new Set(sent)).toEqual(new Set([schemaNameOf(slug)]));
  });

  it('refuses a transaction it did not open, so the caller can notify inside it instead', () => {
    expect(afterCommit({}, () => undefined)).toBe(false);
  });
});
