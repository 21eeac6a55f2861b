import { ConnectAccounts, createStripeClient } from '@mindbot/stripe-connect';
import {
  createPlatformClient,
  createPool,
  ensureDatabase,
  MIGRATIONS_DIR,
  MigrationRunner,
  TenantClients,
  type PlatformClient,
  type Pool,
} from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import type { CliConfig } from './config.js';

export interface CliContext {
  pool: Pool;
  platform: PlatformClient;
  migrations: MigrationRunner;
  provisioner: TenantProvisioner;
  /** The Stripe Connect step; undefined without STRIPE_SECRET_KEY. */
  billing: Pick<ConnectAccounts, 'ensure' | 'close'> | undefined;
  close(): Promise<void>;
}

/** Connects (creating the database when it does not exist yet) and brings the platform schema up to date. */
export async function openContext(config: CliConfig): Promise<CliContext> {
  await ensureDatabase(config.DATABASE_URL);
  const pool = createPool(config.DATABASE_URL, { max: 4, applicationName: 'mindbot-cli' });
  try {
    const migrations = await MigrationRunner.load(pool, config.MINDBOT_MIGRATIONS_DIR ?? MIGRATIONS_DIR);
    await migrations.migrate({ kind: 'platform', schema: 'platform' });
    const platform = createPlatformClient(pool);
    const provisioner = new TenantProvisioner({ pool, platform, migrations, region: config.MINDBOT_REGION, actor: 'cli' });
    const billing = config.STRIPE_SECRET_KEY
      ? new ConnectAccounts({
          stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL }),
          platform,
          tenants: new TenantClients(pool),
          livemode: config.STRIPE_LIVEMODE,
        })
      : undefined;
    return {
      pool,
      platform,
      migrations,
      provisioner,
      billing,
      async close() {
        await platform.$disconnect();
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
