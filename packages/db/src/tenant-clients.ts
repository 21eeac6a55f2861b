import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { roleNameOf, schemaNameOf, tenantSlugSchema } from '@mindbot/tenancy';
import { withSpan } from '@mindbot/tracing';
import { PrismaClient, type Prisma } from './generated/prisma/client.js';
import type { TenantModelDelegate } from './model-kinds.js';
import { CommitNotifications, trackCommitHooks, type Committed } from './commit-notifications.js';
import { quoteIdent } from './quote-ident.js';

/**
 * What tenant code may touch inside a transaction: its own schema's models and parameterised SQL.
 * The `Unsafe` raw methods are left out on purpose: Postgres checks SET ROLE against the session's
 * login, so only SQL built from strings could switch roles (docs/adr/0003-tenant-isolation-by-role-and-schema.md).
 */
export type TenantTransaction = Pick<Prisma.TransactionClient, TenantModelDelegate | '$queryRaw' | '$executeRaw'>;

/**
 * The light path for hot reads (docs/adr/0003): parameterised SQL over `pg`, without Prisma's
 * interactive transaction. Only a tagged template, like `$queryRaw`: the statement text is the
 * code's own, every `${value}` becomes a bind parameter, and the statement always goes over the
 * extended protocol, which runs exactly one statement.
 */
export interface TenantSql {
  <R extends pg.QueryResultRow>(strings: TemplateStringsArray, ...values: unknown[]): Promise<R[]>;
}

export interface TenantScope {
  readonly slug: string;
  readonly schema: string;
  /**
   * Runs `fn` in one transaction as the tenant's own Postgres role with the tenant's search_path.
   * Both are set with SET LOCAL, so they end with the transaction and never reach the next user of
   * the pooled connection. This is the only way to reach tenant data.
   */
  transaction<T>(
    fn: (tx: TenantTransaction) => Promise<T>,
    options?: { isolationLevel?: Prisma.TransactionIsolationLevel; timeoutMs?: number },
  ): Promise<T>;
  /**
   * Runs `fn` in one READ ONLY transaction as the tenant's role with the tenant's search_path, as
   * `transaction` does, but over a pooled `pg` connection: BEGIN and both SET LOCALs go in one round
   * trip, so a read costs about what a plain pooled transaction does. For hot reads; writes and
   * anything wanting the models go through `transaction`.
   */
  read<T>(fn: (sql: TenantSql) => Promise<T>): Promise<T>;
  /**
   * One read statement in its own `read` transaction. A statement without values goes in the same
   * round trip as BEGIN, the SET LOCALs and COMMIT (the simple protocol, so its text must hold no
   * `;`: one statement, as over the extended protocol); with values it takes three round trips.
   */
  select: TenantSql;
  /**
   * The light path for hot writes (docs/adr/0003): `fn` runs in one read-write transaction as the
   * tenant's role with the tenant's search_path, set with SET LOCAL in the same round trip as
   * BEGIN, over a pooled `pg` connection, with the same tagged-template statements as `read`. It
   * commits when `fn` resolves (unless `rollbackIf` says otherwise: the value is still returned, so
   * a caller can redo the work through `transaction` when it finds it needs more than SQL), and
   * rolls back when `fn` throws. No models and no afterCommit hooks: what needs those goes through
   * `transaction`.
   */
  write<T>(fn: (sql: TenantSql) => Promise<T>, options?: { rollbackIf?: (value: T) => boolean }): Promise<T>;
  /**
   * One statement in its own `write` transaction, in one round trip: BEGIN with the SET LOCALs,
   * the statement (a tagged template, extended protocol) and COMMIT go out in one write. A
   * statement that fails aborts the transaction and the COMMIT behind it ends it as a ROLLBACK;
   * the statement's error is thrown. For a hot write that decides everything in SQL (a function
   * that raises when it needs the caller's full path).
   */
  writeOne: TenantSql;
}

/** Tagged-template statements on one connection: bind parameters, extended protocol, one statement each. */
function statementsOn(client: pg.PoolClient): TenantSql {
  return async <R extends pg.QueryResultRow>(strings: TemplateStringsArray, ...values: unknown[]) => {
    const text = strings.reduce((joined, part, i) => `${joined}$${i}${part}`);
    // queryMode (pg ≥ 8.13; not yet in @types/pg): extended protocol even without values.
    const config = { text, values, queryMode: 'extended' as const };
    const result = await client.query<R>(config);
    return result.rows;
  };
}

/**
 * Sends the queries `send` makes in one write, each without waiting for the one before (pg's
 * pipeline mode, switched on for them only), and waits for all of them: pg answers pipelined
 * queries in order, so all have settled before the mode is switched off. The first failure is
 * thrown. Corked, the queries leave in one system call and wake the server once.
 */
async function pipelined<Q extends readonly Promise<unknown>[]>(
  client: pg.PoolClient,
  send: () => [...Q],
): Promise<{ [K in keyof Q]: Awaited<Q[K]> }> {
  const mode: { pipeline: boolean } = client;
  mode.pipeline = true;
  client.connection.stream.cork();
  let sent: [...Q];
  try {
    sent = send();
  } finally {
    client.connection.stream.uncork();
  }
  const settled = await Promise.allSettled(sent);
  mode.pipeline = false;
  const failed = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined)) as { [K in keyof Q]: Awaited<Q[K]> };
}

/**
 * Statements that open their transaction on the way: the first goes on the wire right behind
 * `begin` (BEGIN and the SET LOCALs, one simple-protocol query), without waiting for its answer,
 * so BEGIN costs no round trip of its own (pg's pipeline mode, switched on for those two queries
 * only). Safe because `begin` starts with BEGIN: whatever happens after it, the statement runs in
 * that transaction block, either as the tenant's role with its search_path or not at all (a failed
 * SET LOCAL aborts the block and Postgres refuses every statement until it ends). `begin` is built
 * from a validated slug, so it cannot fail to parse (which would run nothing of it). `begun`
 * sends `begin` alone if no statement has.
 */
function statementsAfterBegin(client: pg.PoolClient, begin: string): { sql: TenantSql; begun: () => Promise<void> } {
  const run = statementsOn(client);
  let opened: Promise<void> | undefined;
  const sql: TenantSql = async <R extends pg.QueryResultRow>(strings: TemplateStringsArray, ...values: unknown[]) => {
    if (opened) {
      await opened;
      return run<R>(strings, ...values);
    }
    const [, rows] = await pipelined(client, () => {
      const began = client.query(begin).then(() => undefined);
      opened = began;
      return [began, run<R>(strings, ...values)];
    });
    return rows;
  };
  return {
    sql,
    begun: async () => {
      opened ??= client.query(begin).then(() => undefined);
      await opened;
    },
  };
}

/**
 * Tenant-scoped clients over one shared pool. A Prisma client is bound to one schema name, so there
 * is one per tenant, created on first use and kept in a small LRU (clients are cheap: no engine).
 */
export class TenantClients {
  private readonly clients = new Map<string, PrismaClient>();
  /** Notifications tenant transactions asked for (afterCommit), sent once they have committed. */
  readonly commitNotifications: CommitNotifications;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxCachedClients = 256,
    onNotifyError?: (error: unknown) => void,
  ) {
    // Each cached client's adapter listens for idle-connection errors on the shared pool until it is
    // disconnected; the LRU bounds them, so raise Node's leak warning to that bound.
    pool.setMaxListeners(Math.max(pool.getMaxListeners(), maxCachedClients + 16));
    this.commitNotifications = new CommitNotifications(pool, onNotifyError);
  }

  forTenant(slug: string): TenantScope {
    const schema = schemaNameOf(slug);
    // The slug becomes a role name and a search_path: only a valid slug may get that far.
    if (!tenantSlugSchema.safeParse(slug).success) throw new Error(`Not a tenant slug: ${JSON.stringify(slug)}`);
    const role = roleNameOf(slug);
    // Built once per scope from a validated slug: SET cannot take bind parameters.
    const setLocals = `SET LOCAL ROLE ${quoteIdent(role)}; SET LOCAL search_path TO ${quoteIdent(schema)}`;
    const begin = `BEGIN READ ONLY; ${setLocals}`;
    const beginWrite = `BEGIN READ WRITE; ${setLocals}`;
    return {
      slug,
      schema,
      transaction: (fn, options) =>
        withSpan('db.tenant_transaction', { 'db.system': 'postgresql', 'db.namespace': schema, 'mindbot.tenant': slug }, async () => {
          let hooks: ((committed: Committed) => void)[] = [];
          const result = await this.clientFor(schema).$transaction(
            async (tx) => {
              hooks = trackCommitHooks(tx);
              // One round trip: set_config(…, true) is SET LOCAL, with the same permission checks.
              await tx.$queryRaw`SELECT set_config('role', ${role}, true), set_config('search_path', ${schema}, true)`;
              return fn(tx);
            },
            { isolationLevel: options?.isolationLevel, timeout: options?.timeoutMs ?? 10_000, maxWait: 5_000 },
          );
          const committed: Committed = { schema, notify: (channel, payload) => this.commitNotifications.send(channel, payload) };
          for (const hook of hooks) hook(committed);
          return result;
        }),
      read: (fn) =>
        withSpan('db.tenant_read', { 'db.system': 'postgresql', 'db.namespace': schema, 'mindbot.tenant': slug }, () =>
          this.read(begin, fn),
        ),
      select: <R extends pg.QueryResultRow>(strings: TemplateStringsArray, ...values: unknown[]) =>
        withSpan('db.tenant_read', { 'db.system': 'postgresql', 'db.namespace': schema, 'mindbot.tenant': slug }, () =>
          values.length > 0 ? this.read(begin, (sql) => sql<R>(strings, ...values)) : this.selectInOneTrip<R>(begin, strings),
        ),
      write: (fn, options) =>
        withSpan('db.tenant_write', { 'db.system': 'postgresql', 'db.namespace': schema, 'mindbot.tenant': slug }, () =>
          this.inLightTransaction(async (client) => {
            const { sql, begun } = statementsAfterBegin(client, beginWrite);
            const value = await fn(sql);
            await begun();
            await client.query(options?.rollbackIf?.(value) ? 'ROLLBACK' : 'COMMIT');
            return value;
          }),
        ),
      writeOne: <R extends pg.QueryResultRow>(strings: TemplateStringsArray, ...values: unknown[]) =>
        withSpan('db.tenant_write', { 'db.system': 'postgresql', 'db.namespace': schema, 'mindbot.tenant': slug }, () =>
          this.inLightTransaction(async (client) => {
            const [, rows, committed] = await pipelined(client, () => [
              client.query(beginWrite),
              statementsOn(client)<R>(strings, ...values),
              client.query('COMMIT'),
            ]);
            if (committed.command !== 'COMMIT') throw new Error('writeOne: the transaction did not commit');
            return rows;
          }),
        ),
    };
  }

  private async read<T>(begin: string, fn: (sql: TenantSql) => Promise<T>): Promise<T> {
    return this.inLightTransaction(async (client) => {
      await client.query(begin);
      const value = await fn(statementsOn(client));
      await client.query('COMMIT');
      return value;
    });
  }

  private async selectInOneTrip<R extends pg.QueryResultRow>(begin: string, strings: TemplateStringsArray): Promise<R[]> {
    const statement = strings.join('');
    // One statement, and nothing that could hide the COMMIT after it.
    if (/;|--|\/\*/.test(statement)) throw new Error('select: one statement without `;` or comments is expected (pass values as ${…}).');
    return this.inLightTransaction(async (client) => {
      // BEGIN, two SET LOCALs, the statement, COMMIT: five results, the fourth is the statement's.
      const results = (await client.query<R>(`${begin};\n${statement}\n;\nCOMMIT`)) as unknown as pg.QueryResult<R>[];
      const [, , , selected, committed] = results;
      if (results.length !== 5 || !selected || committed?.command !== 'COMMIT')
        throw new Error('select: the statement did not run as one read');
      return selected.rows;
    });
  }

  /**
   * A pooled connection for one light transaction (read or write). On failure ROLLBACK ends the
   * role and search_path with the transaction (and undoes a write); a connection that cannot even
   * do that is destroyed rather than handed to the next user.
   */
  private async inLightTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await fn(client);
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Drops a tenant's cached client (after deprovisioning). */
  async forget(slug: string): Promise<void> {
    const schema = schemaNameOf(slug);
    const client = this.clients.get(schema);
    this.clients.delete(schema);
    await client?.$disconnect();
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.$disconnect()));
  }

  private clientFor(schema: string): PrismaClient {
    const cached = this.clients.get(schema);
    if (cached) {
      // Re-insert to mark as most recently used.
      this.clients.delete(schema);
      this.clients.set(schema, cached);
      return cached;
    }
    const client = new PrismaClient({ adapter: new PrismaPg(this.pool, { schema }) });
    this.clients.set(schema, client);
    if (this.clients.size > this.maxCachedClients) {
      const oldest = this.clients.keys().next();
      if (!oldest.done) {
        const evicted = this.clients.get(oldest.value);
        this.clients.delete(oldest.value);
        void evicted?.$disconnect();
      }
    }
    return client;
  }
}
