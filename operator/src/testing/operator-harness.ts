import { createPlatformClient, createPool, MigrationRunner, type PlatformClient, type Pool } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { REGIONS, type TenantSpec } from '@mindbot/tenancy';
import { Registry } from 'prom-client';
import type { Logger } from '@mindbot/logger';
import { TENANTS_PATH, type Tenant } from '../api/v1alpha1/tenant-types.js';
import type { AgentProviders } from '../controllers/tenant/agent-providers.js';
import type { AgentRedis } from '../controllers/tenant/agent-redis.js';
import type { BillingStep } from '../controllers/tenant/billing.js';
import type { OwnersStep } from '../controllers/tenant/owners.js';
import { Operator, type OperatorOptions } from '../operator.js';
import { createTestDatabase, type TestDatabase } from '@mindbot/testing';
import { tenantCrd } from '../api/v1alpha1/crd.js';
import { startTestApiServer, type AuditEvent, type TestApiServer } from './test-api-server.js';

export const OPERATOR_USER = 'mindbot-operator';
export const SYSTEM_NAMESPACE = 'mindbot-system';

export interface PlatformDatabase {
  pool: Pool;
  platform: PlatformClient;
  migrations: MigrationRunner;
  close(): Promise<void>;
}

/** The platform schema migrated in a database, as the operator expects it. */
export async function platformDatabase(url: string): Promise<PlatformDatabase> {
  const pool = createPool(url, { max: 8 });
  const migrations = await MigrationRunner.load(pool);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  const platform = createPlatformClient(pool);
  return {
    pool,
    platform,
    migrations,
    async close() {
      await platform.$disconnect();
      await pool.end();
    },
  };
}

export interface HarnessOptions {
  api: TestApiServer;
  database: Pick<PlatformDatabase, 'pool' | 'platform' | 'migrations'>;
  logger: Logger;
  region?: string;
  knownRegions?: readonly string[];
  leaderElection?: OperatorOptions['leaderElection'];
  resyncPeriodMs?: number;
  workers?: number;
  /** Stripe Connect provisioning; omitted, BillingReady is NotConfigured. */
  billing?: BillingStep;
  /** Inviting spec.owners through SSO; omitted, no OwnersInvited condition. */
  owners?: OwnersStep;
  /** The agents' providers; omitted: none chosen and no provider Secret. */
  agentProviders?: Partial<AgentProviders>;
  /** Where agents report their readiness; omitted: nowhere. */
  agentRedis?: AgentRedis;
}

/** An operator in this process, as user `mindbot-operator`, with test-sized retry delays. */
export async function startOperator(options: HarnessOptions): Promise<{ operator: Operator; registry: Registry }> {
  const region = options.region ?? 'eu-west';
  const registry = new Registry();
  const operator = new Operator({
    kubeConfig: await options.api.kubeConfig(OPERATOR_USER, ['system:masters']),
    provisioner: new TenantProvisioner({ ...options.database, region, actor: 'operator' }),
    billing: options.billing,
    owners: options.owners,
    logger: options.logger,
    registry,
    workers: options.workers ?? 2,
    resyncPeriodMs: options.resyncPeriodMs ?? 60 * 60_000,
    baseRetryDelayMs: 200,
    maxRetryDelayMs: 2_000,
    workload: {
      region,
      knownRegions: options.knownRegions ?? REGIONS,
      agentImage: 'registry.example/mindbot/platform:test',
      agentDrainSeconds: 600,
      agentProviders: {
        llm: 'none',
        stt: 'none',
        tts: 'none',
        keys: { OPENAI_API_KEY: 'OPENAI_API_KEY', DEEPGRAM_API_KEY: 'DEEPGRAM_API_KEY', ELEVEN_API_KEY: 'ELEVEN_API_KEY' },
        cidr: '0.0.0.0/0',
        ...options.agentProviders,
      },
      agentRedis: options.agentRedis,
      platformNamespace: SYSTEM_NAMESPACE,
      defaultLivekitSecret: { namespace: SYSTEM_NAMESPACE, name: 'livekit' },
      livekitCidr: '10.20.0.0/16',
      billingUrl: 'http://mindbot-billing.mindbot-system.svc:8080',
    },
    leaderElection: options.leaderElection ?? false,
  });
  await operator.start();
  return { operator, registry };
}

/** A Secret with LiveKit credentials, as a platform engineer would create it. */
export function livekitSecret(namespace: string, name: string) {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'Opaque',
    data: { LIVEKIT_URL: b64('wss://livekit.example'), LIVEKIT_API_KEY: b64('APIkey'), LIVEKIT_API_SECRET: b64('s3cret-value') },
  };
}

export async function waitUntil<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${last instanceof Error ? `: ${last.message}` : ''}`,
  );
}

type SpecOverrides = Partial<Omit<TenantSpec, 'agent'>> & { agent?: Partial<TenantSpec['agent']> };

/** A valid Tenant as a platform engineer would apply it, with `spec` fields overridden. */
export function tenantManifest(slug: string, spec: SpecOverrides = {}) {
  const { agent, ...rest } = spec;
  return {
    apiVersion: 'platform.mindbot.ai/v1alpha1',
    kind: 'Tenant',
    metadata: { name: slug },
    spec: {
      displayName: `Test ${slug}`,
      region: 'eu-west',
      branding: {
        logoUrl: `https://${slug}.example/logo.svg`,
        primaryColor: '#112233',
        accentColor: '#445566',
        agentName: 'Tess',
        greeting: 'Hello.',
      },
      agent: { persona: 'A test agent.', voice: 'aurora', ...agent },
      plan: { name: 'starter' },
      billing: { currency: 'usd', platformFeePercent: 10 },
      ...rest,
    },
  };
}

export const conditionOf = (tenant: Tenant | undefined, type: string) => tenant?.status?.conditions?.find((c) => c.type === type);

/** Tenants through the API server, as `kubectl` would see them. */
export function tenantsOf(api: Pick<TestApiServer, 'request'>) {
  const get = async (name: string): Promise<Tenant | undefined> => {
    const res = await api.request('GET', `${TENANTS_PATH}/${name}`);
    return res.status === 200 ? (res.body as Tenant) : undefined;
  };
  return {
    async create(manifest: ReturnType<typeof tenantManifest>): Promise<void> {
      const res = await api.request('POST', TENANTS_PATH, manifest);
      if (res.status !== 201) throw new Error(`creating ${manifest.metadata.name}: ${res.status} ${JSON.stringify(res.body)}`);
    },
    get,
    /** Waits until the condition holds for the Tenant's current generation. */
    async waitForCondition(name: string, type: string, status: string, reason?: string, timeoutMs = 20_000): Promise<Tenant> {
      let seen: unknown;
      return waitUntil(
        () => `${name} ${type}=${status}${reason ? ` (${reason})` : ''}; last status: ${JSON.stringify(seen)}`,
        async () => {
          const tenant = await get(name);
          seen = tenant?.status;
          const condition = conditionOf(tenant, type);
          return condition?.status === status &&
            (reason === undefined || condition.reason === reason) &&
            tenant?.status?.observedGeneration === tenant?.metadata.generation
            ? tenant
            : undefined;
        },
        timeoutMs,
      );
    },
  };
}

/** What every operator test and benchmark runs against: a real API server with the CRD, the platform database, the default LiveKit Secret. */
export interface OperatorEnvironment {
  api: TestApiServer;
  database: TestDatabase;
  db: PlatformDatabase;
  /** An operator in this process against this environment (or another database); stopped by `stopOperators` or `close`. */
  startOperator(options?: Partial<Omit<HarnessOptions, 'api'>>): Promise<{ operator: Operator; registry: Registry }>;
  stopOperators(): Promise<void>;
  /** Stops every operator, then removes the API server and the database (unless kept, see below). */
  close(): Promise<void>;
}

export interface OperatorEnvironmentOptions {
  /**
   * Leave the database for the caller to drop (`database.dispose()`). A benchmark drops its runs'
   * databases only at its end: a database of 1,000 tenants is some 150,000 files, and creating
   * files in the minutes after so many were deleted costs ext4 (without a journal, as here) a scan
   * past every recently freed inode, which made the next run's Postgres pay up to 2.1× the CPU.
   */
  keepDatabase?: boolean;
}

export async function startOperatorEnvironment(logger: Logger, options: OperatorEnvironmentOptions = {}): Promise<OperatorEnvironment> {
  const cleanups: (() => Promise<void>)[] = [];
  const running: Operator[] = [];
  const stopOperators = async () => {
    for (const operator of running.splice(0)) await operator.stop();
  };
  const close = async () => {
    await stopOperators();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const database = await createTestDatabase();
    if (!options.keepDatabase) cleanups.push(() => database.dispose());
    const api = await startTestApiServer({ crds: [tenantCrd()] });
    cleanups.push(() => api.stop());
    const db = await platformDatabase(database.url);
    cleanups.push(() => db.close());
    await api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SYSTEM_NAMESPACE } });
    const secret = await api.request('POST', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets`, livekitSecret(SYSTEM_NAMESPACE, 'livekit'));
    if (secret.status !== 201) throw new Error(`creating the LiveKit Secret: ${secret.status}`);
    return {
      api,
      database,
      db,
      async startOperator(options = {}) {
        const started = await startOperator({ api, database: db, logger, ...options });
        running.push(started.operator);
        return started;
      },
      stopOperators,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The sum of a metric's values whose labels include `labels`. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric as { values?: { value: number; labels: Record<string, string | number> }[] } | undefined)?.values ?? [];
  return values.filter((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val)).reduce((sum, v) => sum + v.value, 0);
}

/** The write requests the operator sent, from the API server's audit log (Lease renewals excepted). */
export async function operatorWrites(api: Pick<TestApiServer, 'writeRequests'>): Promise<AuditEvent[]> {
  return (await api.writeRequests({ user: OPERATOR_USER })).filter((e) => e.objectRef?.resource !== 'leases');
}
