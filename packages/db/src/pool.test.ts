import { createTestDatabase, type TestDatabase } from '@mindbot/testing';
import { createPool, type Pool } from './pool.js';

// A Postgres restart or failover ends every connection, including those a transaction holds between
// two queries. The process must live on: that transaction fails, the next request gets a new connection.
describe('createPool when the server ends connections', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = createPool(database.url, { max: 2, applicationName: 'pool-test' });
  });

  afterAll(async () => {
    await pool.end();
    await database.dispose();
  });

  it('survives the connection of a checked-out client being terminated between two queries, and serves the next query', async () => {
    const held = await pool.connect();
    const [{ pid }] = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows as [{ pid: number }];
    // Another session ends it, as a server shutting down does (57P01 admin_shutdown arrives while no query runs on it).
    await pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await new Promise((r) => setTimeout(r, 300));
    await expect(held.query('SELECT 1')).rejects.toThrow();
    held.release(true);
    const { rows } = await pool.query<{ ok: number }>('SELECT 1 AS ok');
    expect(rows).toEqual([{ ok: 1 }]);
  });
});
