// Shared set-up of the billing benchmarks: a fresh database with one provisioned tenant.
import { buildServiceDeps, type ServiceDeps } from '@mindbot/service-runtime';
import { MigrationRunner, type TenantTransaction } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import { createLogger } from '@mindbot/logger';
import { TenantProvisioner } from '@mindbot/provisioning';
import { createTestDatabase, testManifest, type TestDatabase } from '@mindbot/testing';
import { creditLot } from '../services/billing/src/data/minute-ledger.js';

process.env.TEST_DATABASE_ADMIN_URL ??= process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const BENCH_TENANT = 'bench-billing';

export async function billingBenchSetup(poolMax: number): Promise<{ database: TestDatabase; deps: ServiceDeps }> {
  const database = await createTestDatabase();
  const deps = buildServiceDeps({
    service: 'billing-bench',
    region: 'eu-west',
    logger: createLogger({ name: 'bench', level: 'warn' }),
    databaseUrl: database.url,
    poolMax,
  });
  const migrations = await MigrationRunner.load(deps.pool);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  await new TenantProvisioner({ pool: deps.pool, platform: deps.platform, migrations, region: 'eu-west', actor: 'bench' }).provision(
    testManifest(BENCH_TENANT),
  );
  return { database, deps };
}

/** A paid purchase and an activated card of `seconds` for `userId`, written directly (no Stripe). */
export async function grantSeconds(tx: TenantTransaction, userId: string, seconds: number, now: Date): Promise<void> {
  const purchaseId = newId('purchase');
  await tx.purchase.create({
    data: {
      id: purchaseId,
      userId,
      packageId: 'pkg_starter',
      packageName: 'Starter',
      amountCents: 999,
      currency: 'usd',
      applicationFeeCents: 100,
      seconds,
      status: 'paid',
      paidAt: now,
    },
  });
  const cardId = newId('timeCard');
  const code = Array.from({ length: 12 }, () => '23456789ABCDEFGHJKMNPQRSTUVWXYZ'.charAt(Math.floor(Math.random() * 31))).join('');
  await tx.timeCard.create({
    data: {
      id: cardId,
      purchaseId,
      ownerId: userId,
      activationCode: code,
      seconds,
      status: 'active',
      activatedBy: userId,
      activatedAt: now,
      codeExpiresAt: new Date(now.getTime() + 86_400_000),
    },
  });
  await creditLot(tx, { userId, timeCardId: cardId, seconds, expiresAt: new Date(now.getTime() + 365 * 86_400_000) });
}

/** Problems in the ledger: lots that disagree with their entries, sessions whose charge disagrees with theirs. */
export async function ledgerProblems(tx: TenantTransaction): Promise<string[]> {
  const rows = await tx.$queryRaw<{ problem: string }[]>`
    SELECT 'lot ' || l.id AS problem FROM minute_lots l LEFT JOIN ledger_entries e ON e.lot_id = l.id
    GROUP BY l.id, l.remaining_seconds HAVING l.remaining_seconds <> COALESCE(sum(e.seconds), 0) OR l.remaining_seconds < 0
    UNION ALL
    SELECT 'session ' || s.id FROM voice_sessions s LEFT JOIN ledger_entries e ON e.session_id = s.id
    GROUP BY s.id, s.charged_seconds, s.pending_seconds HAVING s.charged_seconds - s.pending_seconds <> COALESCE(-sum(e.seconds), 0)`;
  return rows.map((r) => r.problem);
}
