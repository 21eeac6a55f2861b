// The operator process: `npm run operator` against any kubeconfig, or in-cluster.
import { KubeConfig } from '@kubernetes/client-node';
import { loadConfigOrExit } from '@mindbot/config';
import { ConnectAccounts, createStripeClient } from '@mindbot/stripe-connect';
import { createPlatformClient, createPool, MigrationRunner, TenantClients } from '@mindbot/db';
import { closeOnSignals, createHttpApp, createLifecycle, startServer } from '@mindbot/http';
import { createLogger } from '@mindbot/logger';
import { createMetrics } from '@mindbot/metrics';
import { TenantProvisioner } from '@mindbot/provisioning';
import { SsoServiceClient } from '@mindbot/sso-client';
import { loadOperatorConfig, workloadConfigOf, type OperatorConfig } from './config.js';
import { Operator } from './operator.js';

function loadKubeConfig(config: OperatorConfig): KubeConfig {
  const kc = new KubeConfig();
  if (config.KUBECONFIG) kc.loadFromFile(config.KUBECONFIG);
  else kc.loadFromDefault();
  if (config.KUBE_CONTEXT) kc.setCurrentContext(config.KUBE_CONTEXT);
  return kc;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit('operator', loadOperatorConfig);
  const logger = createLogger({ name: 'operator', level: config.LOG_LEVEL, base: { region: config.MINDBOT_REGION } });
  const pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, applicationName: 'mindbot-operator' });
  const platform = createPlatformClient(pool);
  const migrations = await MigrationRunner.load(pool);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  const provisioner = new TenantProvisioner({ pool, platform, migrations, region: config.MINDBOT_REGION, actor: 'operator' });
  // Billing is a step only when the operator has the platform's Stripe key; otherwise BillingReady says NotConfigured.
  const billing = config.STRIPE_SECRET_KEY
    ? {
        accounts: new ConnectAccounts({
          stripe: createStripeClient({ secretKey: config.STRIPE_SECRET_KEY, apiUrl: config.STRIPE_API_URL }),
          platform,
          tenants: new TenantClients(pool),
          livemode: config.STRIPE_LIVEMODE,
          logger: logger.child({ step: 'billing' }),
        }),
        recheckMs: config.BILLING_RECHECK_MS,
      }
    : undefined;
  const owners =
    config.SSO_URL && config.SSO_SERVICE_TOKEN
      ? { sso: new SsoServiceClient(new URL(config.SSO_URL), config.SSO_SERVICE_TOKEN), retryMs: config.OWNERS_RETRY_MS }
      : undefined;
  const metrics = createMetrics('operator');
  const lifecycle = createLifecycle();

  let exiting = false;
  const operator = new Operator({
    kubeConfig: loadKubeConfig(config),
    provisioner,
    billing,
    owners,
    logger,
    registry: metrics.registry,
    workers: config.WORKERS,
    resyncPeriodMs: config.RESYNC_PERIOD_MS,
    workload: workloadConfigOf(config),
    leaderElection: config.LEADER_ELECT
      ? {
          namespace: config.OPERATOR_NAMESPACE,
          name: config.LEASE_NAME,
          leaseDurationMs: config.LEASE_DURATION_MS,
          renewDeadlineMs: config.RENEW_DEADLINE_MS,
          retryPeriodMs: config.RETRY_PERIOD_MS,
        }
      : false,
    // As controller-runtime does: a replica that lost its lease exits and starts over as a candidate.
    onLostLeadership: () => {
      if (exiting) return;
      logger.error('leadership lost: exiting so a clean replica takes over');
      process.exit(1);
    },
  });

  const app = createHttpApp({
    service: 'operator',
    logger,
    metrics,
    lifecycle,
    readiness: {
      kubernetes: () => (operator.ready ? Promise.resolve() : Promise.reject(new Error('informers not synced'))),
      postgres: async () => {
        await pool.query('SELECT 1');
      },
    },
    routes: () => undefined,
  });
  const server = await startServer(app, {
    port: config.PORT,
    host: config.HOST,
    logger,
    lifecycle,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onClosed: [() => operator.stop(), () => platform.$disconnect(), () => pool.end()],
  });
  await operator.start();
  logger.info(
    { url: server.url, identity: operator.identity, region: config.MINDBOT_REGION, billing: billing ? 'stripe' : 'not configured' },
    'operator started',
  );

  closeOnSignals(server, logger, () => {
    exiting = true;
  });
}

await main();
