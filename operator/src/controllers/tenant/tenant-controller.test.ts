import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { schemaNameOf } from '@mindbot/tenancy';
import { captureLogger, freePort, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { createPool, createPlatformClient } from '@mindbot/db';
import { TENANTS_PATH, TENANT_FINALIZER } from '../../api/v1alpha1/tenant-types.js';
import { OWNED_KINDS, resourcePath } from '../../runtime/resources.js';
import type { TestApiServer } from '../../testing/test-api-server.js';
import {
  OPERATOR_USER,
  SYSTEM_NAMESPACE,
  conditionOf,
  livekitSecret,
  metricValue,
  operatorWrites,
  startOperatorEnvironment,
  tenantManifest,
  tenantsOf,
  waitUntil,
  type OperatorEnvironment,
  type PlatformDatabase,
} from '../../testing/operator-harness.js';

const SLOW = 60_000;

let env: OperatorEnvironment;
let api: TestApiServer;
let database: TestDatabase;
let db: PlatformDatabase;
/** Operator processes spawned by tests, killed after the file whatever failed. */
const cleanups: (() => Promise<void>)[] = [];
const log = captureLogger('operator');

const tenants = () => tenantsOf(api);
const createTenant = (manifest: ReturnType<typeof tenantManifest>) => tenants().create(manifest);
const getTenant = (name: string) => tenants().get(name);
const waitForCondition = (name: string, type: string, status: string, reason?: string, timeoutMs?: number) =>
  tenants().waitForCondition(name, type, status, reason, timeoutMs);
const start = (options: Parameters<OperatorEnvironment['startOperator']>[0] = {}) => env.startOperator(options);

async function eventsAbout(name: string): Promise<{ type: string; reason: string; note: string }[]> {
  const res = await api.request('GET', `/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name=${name}`);
  return (res.body as { items: { type: string; reason: string; note: string }[] }).items;
}

beforeAll(async () => {
  env = await startOperatorEnvironment(log.logger);
  ({ api, database, db } = env);
}, 90_000);

afterEach(async () => {
  await env.stopOperators();
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await env.close();
});

describe('the Tenant operator against a real API server', () => {
  it(
    'makes a Tenant Ready with every owned object present, labelled and owned by it',
    async () => {
      await start();
      const slug = uniqueSlug('ready');
      await createTenant(tenantManifest(slug));
      const tenant = await waitForCondition(slug, 'Ready', 'True');

      expect(tenant.metadata.finalizers).toContain(TENANT_FINALIZER);
      expect(tenant.status).toMatchObject({
        observedGeneration: tenant.metadata.generation,
        namespace: `tenant-${slug}`,
        schema: schemaNameOf(slug),
      });
      const byType = Object.fromEntries((tenant.status?.conditions ?? []).map((c) => [c.type, c]));
      expect(Object.keys(byType).sort()).toEqual(['BillingReady', 'DatabaseReady', 'Ready', 'RegistryReady', 'WorkloadReady']);
      for (const type of ['DatabaseReady', 'RegistryReady', 'WorkloadReady', 'Ready']) {
        expect(byType[type]).toMatchObject({ status: 'True', observedGeneration: tenant.metadata.generation });
        expect(byType[type]?.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      }
      expect(byType.BillingReady).toMatchObject({ status: 'Unknown', reason: 'NotConfigured' });

      const ns = `tenant-${slug}`;
      const expected: [string, string | undefined, string][] = [
        ['namespaces', undefined, ns],
        ['serviceaccounts', ns, 'agent'],
        ['configmaps', ns, 'agent-branding'],
        ['secrets', ns, 'agent-livekit'],
        ['deployments', ns, 'agent'],
        ['services', ns, 'agent'],
        ['horizontalpodautoscalers', ns, 'agent'],
        ['poddisruptionbudgets', ns, 'agent'],
        ['networkpolicies', ns, 'default-deny'],
        ['networkpolicies', ns, 'agent-allow'],
        ['resourcequotas', ns, 'tenant-quota'],
        ['limitranges', ns, 'tenant-limits'],
      ];
      const objects: Record<
        string,
        { metadata: { labels: Record<string, string>; ownerReferences: unknown[] }; spec?: Record<string, unknown> }
      > = {};
      for (const [plural, namespace, name] of expected) {
        const kind = OWNED_KINDS.find((k) => k.plural === plural);
        if (!kind) throw new Error(plural);
        const res = await api.request('GET', resourcePath(kind, namespace, name));
        expect({ object: `${plural}/${name}`, status: res.status }).toEqual({ object: `${plural}/${name}`, status: 200 });
        const object = res.body as (typeof objects)[string];
        expect(object.metadata.ownerReferences).toEqual([
          {
            apiVersion: 'platform.mindbot.ai/v1alpha1',
            kind: 'Tenant',
            name: slug,
            uid: tenant.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ]);
        expect(object.metadata.labels).toMatchObject({
          'platform.mindbot.ai/tenant': slug,
          'app.kubernetes.io/managed-by': 'mindbot-operator',
        });
        objects[`${plural}/${name}`] = object;
      }
      expect(objects[`namespaces/${ns}`]?.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      const podSpec = (
        objects['deployments/agent']?.spec as { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } }
      ).template.spec;
      expect(podSpec.securityContext).toMatchObject({ runAsNonRoot: true });
      // The platform image's voice agent worker, registered as this tenant's own (AGENT_TENANT), probed where it listens.
      expect(podSpec.containers[0]).toMatchObject({
        image: 'registry.example/mindbot/platform:test',
        args: ['agent'],
        ports: [{ name: 'http', containerPort: 8081, protocol: 'TCP' }],
        securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        startupProbe: { httpGet: { path: '/healthz', port: 'http' } },
        readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
        livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
        // The worker's idle footprint (about 550 MB with its local inference process), the plan's ceiling above it.
        resources: { requests: { cpu: '250m', memory: '768Mi' } },
      });
      // A call in progress may run on for the whole drain (600 s by default) before the pod is killed.
      expect(podSpec.terminationGracePeriodSeconds).toBe(630);
      const env = (podSpec.containers[0]?.env ?? []) as { name: string }[];
      expect(env).toEqual(
        expect.arrayContaining([
          { name: 'AGENT_TENANT', value: slug },
          { name: 'HOST', value: '0.0.0.0' },
          { name: 'PORT', value: '8081' },
          { name: 'AGENT_DRAIN_SECONDS', value: '600' },
          { name: 'BILLING_URL', value: 'http://mindbot-billing.mindbot-system.svc:8080' },
          { name: 'LIVEKIT_API_SECRET', valueFrom: { secretKeyRef: { name: 'agent-livekit', key: 'LIVEKIT_API_SECRET' } } },
        ]),
      );
      // What the worker does not read is not set.
      const unread = ['MINDBOT_TENANT', 'AGENT_VOICE', 'AGENT_LANGUAGE', 'AGENT_CONFIG_DIR', 'GATEWAY_URL'];
      expect(env.map((e) => e.name).filter((name) => unread.includes(name))).toEqual([]);
      expect(objects['horizontalpodautoscalers/agent']?.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3 });
      expect(objects['resourcequotas/tenant-quota']?.spec).toMatchObject({ hard: { pods: '6', 'services.loadbalancers': '0' } });

      expect(await db.platform.tenant.findUnique({ where: { slug } })).toMatchObject({
        region: 'eu-west',
        home: true,
        schemaName: schemaNameOf(slug),
      });
      expect((await db.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schemaNameOf(slug)])).rowCount).toBe(1);
    },
    SLOW,
  );

  it('refuses an invalid Tenant in the API server, naming each field', async () => {
    const bad = tenantManifest(uniqueSlug('bad'));
    bad.spec.branding.primaryColor = 'blue';
    bad.spec.branding.logoUrl = 'http://insecure.example/logo.png';
    (bad.spec as Record<string, unknown>).region = 'mars-north';
    const schemaErrors = await api.request('POST', TENANTS_PATH, bad);
    expect(schemaErrors.status).toBe(422);
    const message = (schemaErrors.body as { message: string }).message;
    expect(message).toContain('spec.branding.primaryColor');
    expect(message).toContain('spec.branding.logoUrl');
    expect(message).toContain('spec.region: Unsupported value: "mars-north"');

    const crossField = await api.request(
      'POST',
      TENANTS_PATH,
      tenantManifest(uniqueSlug('bad'), { agent: { minReplicas: 4, maxReplicas: 2 } }),
    );
    expect(crossField.status).toBe(422);
    expect((crossField.body as { message: string }).message).toContain(
      'spec.agent.minReplicas: Invalid value: "object": minReplicas must not be greater than maxReplicas',
    );

    const overPlan = await api.request('POST', TENANTS_PATH, tenantManifest(uniqueSlug('bad'), { agent: { maxReplicas: 9 } }));
    expect((overPlan.body as { message: string }).message).toContain(
      'spec.agent.maxReplicas: Invalid value: "object": agent.maxReplicas must not exceed plan.maxAgentReplicas',
    );
  });

  it("refuses to change a Tenant's region", async () => {
    const slug = uniqueSlug('region');
    await createTenant(tenantManifest(slug));
    const res = await api.request('PATCH', `${TENANTS_PATH}/${slug}`, { spec: { region: 'us-east' } }, 'application/merge-patch+json');
    expect(res.status).toBe(422);
    expect((res.body as { message: string }).message).toContain('spec.region: Invalid value: "string": region is immutable');
    expect((await getTenant(slug))?.spec.region).toBe('eu-west');
  });

  it(
    'restores owned objects that are deleted or edited by someone else',
    async () => {
      await start();
      const slug = uniqueSlug('drift');
      await createTenant(tenantManifest(slug));
      await waitForCondition(slug, 'Ready', 'True');
      const ns = `tenant-${slug}`;
      expect((await api.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/agent-branding`)).status).toBe(200);
      const edited = await api.request(
        'PATCH',
        `/apis/apps/v1/namespaces/${ns}/deployments/agent`,
        { spec: { template: { spec: { containers: [{ name: 'agent', image: 'evil.example/miner:latest' }] } } } },
        'application/strategic-merge-patch+json',
      );
      expect(edited.status).toBe(200);
      await waitUntil(
        'the ConfigMap to be restored',
        async () => (await api.request('GET', `/api/v1/namespaces/${ns}/configmaps/agent-branding`)).status === 200,
      );
      await waitUntil('the Deployment image to be restored', async () => {
        const res = await api.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/agent`);
        return (
          (res.body as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec.containers[0]?.image ===
          'registry.example/mindbot/platform:test'
        );
      });
    },
    SLOW,
  );

  it(
    'sends no write to the API server and runs no migration when resyncing unchanged Tenants',
    async () => {
      const { operator, registry } = await start();
      const slugs = [uniqueSlug('steady'), uniqueSlug('steady'), uniqueSlug('steady')];
      for (const slug of slugs) await createTenant(tenantManifest(slug));
      for (const slug of slugs) await waitForCondition(slug, 'Ready', 'True');
      // Let the events caused by the operator's own writes settle.
      await new Promise((r) => setTimeout(r, 1_500));
      const writesBefore = (await operatorWrites(api)).length;
      const migrationsBefore = await db.platform.schemaMigration.count();
      const auditBefore = await db.platform.platformAuditEvent.count();
      const reconcilesBefore = await metricValue(registry, 'controller_runtime_reconcile_total', { result: 'success' });
      const tenantsKnown = operator.controller.tenants.list().length;

      operator.controller.resyncAll();
      await waitUntil(
        'every Tenant to be reconciled again',
        async () =>
          (await metricValue(registry, 'controller_runtime_reconcile_total', { result: 'success' })) >= reconcilesBefore + tenantsKnown,
      );
      await new Promise((r) => setTimeout(r, 500));
      const after = await operatorWrites(api);
      expect(after.slice(writesBefore).map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);
      expect(await db.platform.schemaMigration.count()).toBe(migrationsBefore);
      expect(await db.platform.platformAuditEvent.count()).toBe(auditBefore);
    },
    SLOW,
  );

  it(
    'runs the finalizer on deletion: registry row removed, schema dropped or kept per dataRetention',
    async () => {
      await start();
      const dropped = uniqueSlug('gone');
      const kept = uniqueSlug('kept');
      await createTenant(tenantManifest(dropped, { dataRetention: 'Delete' }));
      await createTenant(tenantManifest(kept));
      await waitForCondition(dropped, 'Ready', 'True');
      await waitForCondition(kept, 'Ready', 'True');
      for (const slug of [dropped, kept]) expect((await api.request('DELETE', `${TENANTS_PATH}/${slug}`)).status).toBe(200);
      await waitUntil(
        'both Tenants to be gone',
        async () => (await getTenant(dropped)) === undefined && (await getTenant(kept)) === undefined,
      );
      expect(await db.platform.tenant.count({ where: { slug: { in: [dropped, kept] } } })).toBe(0);
      const schemas = await db.pool.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)', [
        [schemaNameOf(dropped), schemaNameOf(kept)],
      ]);
      expect(schemas.rows.map((r) => r.nspname)).toEqual([schemaNameOf(kept)]);
    },
    SLOW,
  );

  it(
    'keeps a Tenant whose cleanup fails, with a condition saying why, and lets it go once cleanup succeeds',
    async () => {
      const slug = uniqueSlug('stuck');
      const first = await start();
      await createTenant(tenantManifest(slug, { dataRetention: 'Delete' }));
      await waitForCondition(slug, 'Ready', 'True');
      await first.operator.stop();

      const deadPool = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/nowhere`, { max: 2 });
      const deadPlatform = createPlatformClient(deadPool);
      try {
        const broken = await start({ database: { pool: deadPool, platform: deadPlatform, migrations: db.migrations } });
        expect((await api.request('DELETE', `${TENANTS_PATH}/${slug}`)).status).toBe(200);
        const stuck = await waitUntil(`${slug} to report CleanupFailed`, async () => {
          const tenant = await getTenant(slug);
          return conditionOf(tenant, 'Ready')?.reason === 'CleanupFailed' ? tenant : undefined;
        });
        expect(stuck.metadata.deletionTimestamp).toBeDefined();
        expect(stuck.metadata.finalizers).toContain(TENANT_FINALIZER);
        expect(conditionOf(stuck, 'Ready')).toMatchObject({
          status: 'False',
          message: expect.stringMatching(/^deleting: the platform database is unreachable/),
        });
        expect(await db.platform.tenant.findUnique({ where: { slug } })).not.toBeNull();
        await broken.operator.stop();
      } finally {
        await deadPlatform.$disconnect();
        await deadPool.end();
      }

      await start();
      await waitUntil(`${slug} to be gone`, async () => (await getTenant(slug)) === undefined);
      expect(await db.platform.tenant.findUnique({ where: { slug } })).toBeNull();
      const schema = await db.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schemaNameOf(slug)]);
      expect(schema.rowCount).toBe(0);
    },
    SLOW,
  );

  it(
    'scales a suspended tenant to zero agents and removes its autoscaler',
    async () => {
      await start();
      const slug = uniqueSlug('pause');
      await createTenant(tenantManifest(slug));
      await waitForCondition(slug, 'Ready', 'True');
      const patched = await api.request('PATCH', `${TENANTS_PATH}/${slug}`, { spec: { suspended: true } }, 'application/merge-patch+json');
      expect(patched.status).toBe(200);
      const ns = `tenant-${slug}`;
      await waitUntil(
        'the HPA to be removed',
        async () => (await api.request('GET', `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/agent`)).status === 404,
      );
      const deployment = await api.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/agent`);
      expect((deployment.body as { spec: { replicas: number } }).spec.replicas).toBe(0);
      expect(await db.platform.tenant.findUnique({ where: { slug } })).toMatchObject({ status: 'suspended' });
    },
    SLOW,
  );

  it(
    'reports a missing LiveKit Secret, applies nothing, retries with backoff, and recovers once it exists',
    async () => {
      const { registry } = await start();
      const slug = uniqueSlug('nosecret');
      const secretName = `livekit-${slug}`;
      await createTenant(tenantManifest(slug, { agent: { livekitSecretRef: { namespace: SYSTEM_NAMESPACE, name: secretName } } }));
      const tenant = await waitForCondition(slug, 'WorkloadReady', 'False', 'SecretNotFound');
      expect(conditionOf(tenant, 'WorkloadReady')?.message).toBe(
        `Secret ${SYSTEM_NAMESPACE}/${secretName} named by spec.agent.livekitSecretRef does not exist`,
      );
      expect(conditionOf(tenant, 'Ready')).toMatchObject({ status: 'False', reason: 'SecretNotFound' });
      expect(conditionOf(tenant, 'DatabaseReady')?.status).toBe('True');
      expect((await api.request('GET', `/api/v1/namespaces/tenant-${slug}`)).status).toBe(404);
      await waitUntil('retries', async () => (await metricValue(registry, 'workqueue_retries_total')) >= 3);
      expect(
        (await api.request('POST', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets`, livekitSecret(SYSTEM_NAMESPACE, secretName))).status,
      ).toBe(201);
      await waitForCondition(slug, 'Ready', 'True');

      // What `kubectl describe tenant` shows: the failure once (not once per retry), then the recovery.
      const events = await waitUntil('the Ready event', async () => {
        const found = (await eventsAbout(slug)).map((e) => `${e.type} ${e.reason}`);
        return found.includes('Normal Ready') ? found : undefined;
      });
      expect(events.filter((e) => e === 'Warning SecretNotFound')).toHaveLength(1);
      expect(events).toContain('Normal WorkloadApplied');
    },
    SLOW,
  );

  it(
    'rolls the agents with the new credentials when their LiveKit Secret is rotated, without waiting for a resync',
    async () => {
      await start();
      const slug = uniqueSlug('rotate');
      const secretName = `livekit-${slug}`;
      expect(
        (await api.request('POST', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets`, livekitSecret(SYSTEM_NAMESPACE, secretName))).status,
      ).toBe(201);
      await createTenant(tenantManifest(slug, { agent: { livekitSecretRef: { namespace: SYSTEM_NAMESPACE, name: secretName } } }));
      await waitForCondition(slug, 'Ready', 'True');
      const ns = `tenant-${slug}`;
      const podAnnotations = async () =>
        (
          (await api.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/agent`)).body as {
            spec: { template: { metadata: { annotations: Record<string, string> } } };
          }
        ).spec.template.metadata.annotations;
      const before = await podAnnotations();

      const rotated = Buffer.from('rotated-secret-value').toString('base64');
      const patched = await api.request(
        'PATCH',
        `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets/${secretName}`,
        { data: { LIVEKIT_API_SECRET: rotated } },
        'application/merge-patch+json',
      );
      expect(patched.status).toBe(200);
      await waitUntil('the tenant copy of the Secret to be rotated', async () => {
        const copy = await api.request('GET', `/api/v1/namespaces/${ns}/secrets/agent-livekit`);
        return (copy.body as { data?: Record<string, string> }).data?.LIVEKIT_API_SECRET === rotated;
      });
      const after = await podAnnotations();
      expect(after['platform.mindbot.ai/livekit-hash']).not.toBe(before['platform.mindbot.ai/livekit-hash']);
      expect(after['platform.mindbot.ai/providers-hash']).toBe(before['platform.mindbot.ai/providers-hash']);
    },
    SLOW,
  );

  it(
    'gives a Tenant of the shared agent pool no agent of its own, and prunes the dedicated one when its plan moves to the pool',
    async () => {
      await start();
      const slug = uniqueSlug('pool');
      await createTenant(tenantManifest(slug));
      await waitForCondition(slug, 'Ready', 'True');
      const ns = `tenant-${slug}`;
      const agentObjects = [
        `/apis/apps/v1/namespaces/${ns}/deployments/agent`,
        `/api/v1/namespaces/${ns}/services/agent`,
        `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/agent`,
        `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/agent`,
        `/api/v1/namespaces/${ns}/secrets/agent-livekit`,
      ];
      const statuses = async () => Promise.all(agentObjects.map(async (path) => (await api.request('GET', path)).status));
      expect(await statuses()).toEqual(agentObjects.map(() => 200));

      const patched = await api.request(
        'PATCH',
        `${TENANTS_PATH}/${slug}`,
        { spec: { plan: { agentPool: 'shared' } } },
        'application/merge-patch+json',
      );
      expect(patched.status).toBe(200);
      const moved = await waitForCondition(slug, 'Ready', 'True');
      expect(conditionOf(moved, 'WorkloadReady')?.message).toContain("its calls are served by the region's shared agent pool");
      await waitUntil('the dedicated agent to be pruned', async () => (await statuses()).every((status) => status === 404));
      // The namespace and its guard rails stay.
      for (const path of [
        `/api/v1/namespaces/${ns}`,
        `/api/v1/namespaces/${ns}/resourcequotas/tenant-quota`,
        `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/default-deny`,
      ]) {
        expect({ path, status: (await api.request('GET', path)).status }).toEqual({ path, status: 200 });
      }

      // A Tenant of the pool from the start needs no LiveKit credentials in this cluster.
      const pooled = uniqueSlug('pool');
      const plan = {
        name: 'starter' as const,
        requestsPerMinute: 600,
        concurrentSessions: 10,
        maxAgentReplicas: 5,
        agentPool: 'shared' as const,
      };
      await createTenant(
        tenantManifest(pooled, { plan, agent: { livekitSecretRef: { namespace: SYSTEM_NAMESPACE, name: `missing-${pooled}` } } }),
      );
      await waitForCondition(pooled, 'Ready', 'True');
      expect((await api.request('GET', `/apis/apps/v1/namespaces/tenant-${pooled}/deployments/agent`)).status).toBe(404);
    },
    SLOW,
  );

  it(
    "copies the provider keys into the tenant's namespace, reports a missing provider Secret or key before applying anything, and rolls the agents when a key is rotated",
    async () => {
      const slug = uniqueSlug('voice');
      const secretName = `providers-${slug}`;
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      await start({
        agentProviders: {
          stt: 'deepgram',
          tts: 'elevenlabs',
          secret: { namespace: SYSTEM_NAMESPACE, name: secretName },
          keys: { OPENAI_API_KEY: 'OPENAI_API_KEY', DEEPGRAM_API_KEY: 'deepgram', ELEVEN_API_KEY: 'ELEVEN_API_KEY' },
        },
      });
      await createTenant(tenantManifest(slug));
      const missing = await waitForCondition(slug, 'WorkloadReady', 'False', 'SecretNotFound');
      expect(conditionOf(missing, 'WorkloadReady')?.message).toBe(
        `Secret ${SYSTEM_NAMESPACE}/${secretName} named by the operator's AGENT_PROVIDER_SECRET does not exist`,
      );
      expect((await api.request('GET', `/api/v1/namespaces/tenant-${slug}`)).status).toBe(404);

      const source = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: secretName, namespace: SYSTEM_NAMESPACE },
        type: 'Opaque',
        data: { deepgram: b64('dg-key-1'), STRIPE_SECRET_KEY: b64('sk_live_not_for_agents') },
      };
      expect((await api.request('POST', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets`, source)).status).toBe(201);
      const invalid = await waitForCondition(slug, 'WorkloadReady', 'False', 'SecretInvalid');
      expect(conditionOf(invalid, 'WorkloadReady')?.message).toBe(
        `Secret ${SYSTEM_NAMESPACE}/${secretName} lacks ELEVEN_API_KEY, which AGENT_LLM=none, AGENT_STT=deepgram, AGENT_TTS=elevenlabs need`,
      );

      const sourcePath = `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets/${secretName}`;
      expect(
        (await api.request('PATCH', sourcePath, { data: { ELEVEN_API_KEY: b64('el-key-1') } }, 'application/merge-patch+json')).status,
      ).toBe(200);
      await waitForCondition(slug, 'Ready', 'True');
      const ns = `tenant-${slug}`;
      const copy = async () =>
        ((await api.request('GET', `/api/v1/namespaces/${ns}/secrets/agent-providers`)).body as { data?: Record<string, string> }).data;
      // Only the provider keys, under the names the worker reads; nothing else the source Secret holds.
      expect(await copy()).toEqual({ DEEPGRAM_API_KEY: b64('dg-key-1'), ELEVEN_API_KEY: b64('el-key-1') });
      const deployment = async () =>
        (await api.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/agent`)).body as {
          spec: { template: { metadata: { annotations: Record<string, string> }; spec: { containers: { env: unknown[] }[] } } };
        };
      const before = await deployment();
      expect(before.spec.template.spec.containers[0]?.env).toEqual(
        expect.arrayContaining([
          { name: 'AGENT_STT', value: 'deepgram' },
          { name: 'AGENT_TTS', value: 'elevenlabs' },
          { name: 'DEEPGRAM_API_KEY', valueFrom: { secretKeyRef: { name: 'agent-providers', key: 'DEEPGRAM_API_KEY', optional: true } } },
          { name: 'OPENAI_API_KEY', valueFrom: { secretKeyRef: { name: 'agent-providers', key: 'OPENAI_API_KEY', optional: true } } },
        ]),
      );
      expect(JSON.stringify(before)).not.toContain(b64('dg-key-1'));

      expect((await api.request('PATCH', sourcePath, { data: { deepgram: b64('dg-key-2') } }, 'application/merge-patch+json')).status).toBe(
        200,
      );
      await waitUntil('the tenant copy to be rotated', async () => (await copy())?.DEEPGRAM_API_KEY === b64('dg-key-2'));
      const annotations = (d: Awaited<ReturnType<typeof deployment>>) => d.spec.template.metadata.annotations;
      const after = await waitUntil('the agents to roll', async () => {
        const current = await deployment();
        return annotations(current)['platform.mindbot.ai/providers-hash'] !== annotations(before)['platform.mindbot.ai/providers-hash']
          ? current
          : undefined;
      });
      expect(annotations(after)['platform.mindbot.ai/livekit-hash']).toBe(annotations(before)['platform.mindbot.ai/livekit-hash']);
    },
    SLOW,
  );

  it(
    'hands the agents the Redis URL they report their readiness with, copied from the Secret the operator names, refusing one the worker would refuse',
    async () => {
      const slug = uniqueSlug('report');
      const secretName = `agent-redis-${slug}`;
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      await start({ agentRedis: { secret: { namespace: SYSTEM_NAMESPACE, name: secretName }, key: 'url', cidr: '10.8.0.0/16' } });
      const source = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: secretName, namespace: SYSTEM_NAMESPACE },
        type: 'Opaque',
        data: { url: b64('redis.internal:6379') },
      };
      expect((await api.request('POST', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets`, source)).status).toBe(201);
      await createTenant(tenantManifest(slug));
      const invalid = await waitForCondition(slug, 'WorkloadReady', 'False', 'SecretInvalid');
      expect(conditionOf(invalid, 'WorkloadReady')?.message).toBe(
        `Secret ${SYSTEM_NAMESPACE}/${secretName} whose url is not a redis:// or rediss:// URL`,
      );

      const url = 'rediss://mindbot-agent:pw@redis.internal:6380';
      expect(
        (
          await api.request(
            'PATCH',
            `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets/${secretName}`,
            { data: { url: b64(url) } },
            'application/merge-patch+json',
          )
        ).status,
      ).toBe(200);
      await waitForCondition(slug, 'Ready', 'True');
      const ns = `tenant-${slug}`;
      const copy = await api.request('GET', `/api/v1/namespaces/${ns}/secrets/agent-redis`);
      expect((copy.body as { data?: Record<string, string> }).data).toEqual({ REDIS_URL: b64(url) });
      const deployment = (await api.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments/agent`)).body as {
        spec: { template: { spec: { containers: { env: unknown[] }[] } } };
      };
      expect(deployment.spec.template.spec.containers[0]?.env).toContainEqual({
        name: 'REDIS_URL',
        valueFrom: { secretKeyRef: { name: 'agent-redis', key: 'REDIS_URL' } },
      });
      const policy = (await api.request('GET', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/agent-allow`)).body as {
        spec: { egress: { to?: { ipBlock?: { cidr: string } }[]; ports?: { port: number }[] }[] };
      };
      expect(policy.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.8.0.0/16' } }], ports: [{ protocol: 'TCP', port: 6380 }] });
    },
    SLOW,
  );

  it(
    'refuses a region the platform does not run, with a condition, and keeps retrying',
    async () => {
      const { registry } = await start({ knownRegions: ['eu-west', 'us-east'] });
      const slug = uniqueSlug('faraway');
      await createTenant(tenantManifest(slug, { region: 'ap-southeast' }));
      const tenant = await waitForCondition(slug, 'Ready', 'False', 'UnknownRegion');
      expect(conditionOf(tenant, 'Ready')?.message).toBe(
        'DatabaseReady: region ap-southeast is not one this platform runs (known: eu-west, us-east)',
      );
      expect(await db.platform.tenant.findUnique({ where: { slug } })).toBeNull();
      await waitUntil('retries', async () => (await metricValue(registry, 'controller_runtime_reconcile_errors_total')) >= 2);
    },
    SLOW,
  );

  it(
    'registers a tenant of another region without running its workload here',
    async () => {
      await start();
      const slug = uniqueSlug('remote');
      await createTenant(tenantManifest(slug, { region: 'us-east' }));
      const tenant = await waitForCondition(slug, 'Ready', 'True');
      expect(conditionOf(tenant, 'WorkloadReady')).toMatchObject({ status: 'True', reason: 'NotInThisRegion' });
      expect(await db.platform.tenant.findUnique({ where: { slug } })).toMatchObject({ home: false, region: 'us-east' });
      expect((await api.request('GET', `/api/v1/namespaces/tenant-${slug}`)).status).toBe(404);
    },
    SLOW,
  );

  it(
    'reports a database that is down, keeps running and retrying, and creates nothing meanwhile',
    async () => {
      const deadPool = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/nowhere`, { max: 2 });
      const deadPlatform = createPlatformClient(deadPool);
      try {
        const { operator, registry } = await start({ database: { pool: deadPool, platform: deadPlatform, migrations: db.migrations } });
        const slug = uniqueSlug('nodb');
        await createTenant(tenantManifest(slug));
        const tenant = await waitForCondition(slug, 'DatabaseReady', 'False', 'DatabaseUnavailable');
        expect(conditionOf(tenant, 'DatabaseReady')?.message).toMatch(
          /^the platform database is unreachable: Can't reach database server at 127\.0\.0\.1:\d+$/,
        );
        expect(conditionOf(tenant, 'Ready')).toMatchObject({ status: 'False', reason: 'DatabaseUnavailable' });
        expect(conditionOf(tenant, 'WorkloadReady')).toMatchObject({ status: 'Unknown', reason: 'WaitingForDatabase' });
        await waitUntil('retries', async () => (await metricValue(registry, 'workqueue_retries_total')) >= 3);
        expect(operator.ready).toBe(true);
        expect((await api.request('GET', `/api/v1/namespaces/tenant-${slug}`)).status).toBe(404);
        // Once the database is back (another operator with a working one), the same Tenant converges.
        await operator.stop();
        await start();
        await waitForCondition(slug, 'Ready', 'True');
      } finally {
        await deadPlatform.$disconnect();
        await deadPool.end();
      }
    },
    SLOW,
  );

  it('keeps working across an API server restart: informers whose watch broke restart by themselves', async () => {
    const { registry } = await start();
    expect(await createAndWait(uniqueSlug('pre'))).toBe('True');
    await api.restart(3_000);
    // While the server was down the informers' re-list and re-watch were refused: each stopped and was restarted.
    await waitUntil('informers to restart', async () => (await metricValue(registry, 'mindbot_operator_informer_restarts_total')) > 0);
    const slug = uniqueSlug('post');
    expect(await createAndWait(slug)).toBe('True');
    // The owned-object informers are back too: drift is still corrected.
    expect((await api.request('DELETE', `/api/v1/namespaces/tenant-${slug}/configmaps/agent-branding`)).status).toBe(200);
    await waitUntil(
      'the ConfigMap to be restored',
      async () => (await api.request('GET', `/api/v1/namespaces/tenant-${slug}/configmaps/agent-branding`)).status === 200,
    );
  }, 90_000);

  it(
    'elects one leader among two operators, and hands over when the leader dies',
    async () => {
      const election = {
        namespace: SYSTEM_NAMESPACE,
        name: `lease-${uniqueSlug('le')}`,
        leaseDurationMs: 3_000,
        renewDeadlineMs: 2_000,
        retryPeriodMs: 300,
      };
      const first = await start({ leaderElection: { ...election, identity: 'first' } });
      const second = await start({ leaderElection: { ...election, identity: 'second' } });
      const leader = await waitUntil('a leader', () =>
        Promise.resolve(first.operator.isLeader ? first : second.operator.isLeader ? second : undefined),
      );
      const standby = leader === first ? second : first;
      await new Promise((r) => setTimeout(r, 1_000));
      expect([first.operator.isLeader, second.operator.isLeader].filter(Boolean)).toHaveLength(1);
      expect(await metricValue(leader.registry, 'leader_election_master_status')).toBe(1);
      expect(await metricValue(standby.registry, 'leader_election_master_status')).toBe(0);

      const before = await createAndWait(uniqueSlug('lead'));
      expect(await metricValue(standby.registry, 'controller_runtime_reconcile_total')).toBe(0);
      expect(before).toBe('True');

      const killedAt = Date.now();
      await leader.operator.kill();
      await waitUntil('the standby to lead', () => Promise.resolve(standby.operator.isLeader), 10_000);
      expect(Date.now() - killedAt).toBeLessThan(3_000 + 2_000);
      const lease = await api.request('GET', `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM_NAMESPACE}/leases/${election.name}`);
      expect((lease.body as { spec: { holderIdentity: string } }).spec.holderIdentity).toBe(standby.operator.identity);
      expect(await createAndWait(uniqueSlug('after'))).toBe('True');
    },
    SLOW,
  );

  it('converges after the operator process is killed mid-reconcile and another one starts', async () => {
    // Enough Tenants that one worker cannot finish them all between the first namespace appearing and the kill.
    const slugs = Array.from({ length: 10 }, () => uniqueSlug('crash'));
    for (const slug of slugs) await createTenant(tenantManifest(slug));
    const lease = `lease-${uniqueSlug('crash')}`;
    const first = await spawnOperator(lease);
    try {
      // Killed as soon as any of them has its namespace: the operator takes them in its own order.
      const namespaces = new Set(slugs.map((slug) => `tenant-${slug}`));
      await waitUntil(
        'the first operator to start applying',
        async () => {
          const list = (await api.request('GET', '/api/v1/namespaces')).body as { items: { metadata: { name: string } }[] };
          return list.items.some((ns) => namespaces.has(ns.metadata.name));
        },
        30_000,
      );
    } finally {
      first.kill('SIGKILL');
    }
    const readyBeforeRestart = (await Promise.all(slugs.map(getTenant))).filter((t) => conditionOf(t, 'Ready')?.status === 'True').length;
    expect(readyBeforeRestart).toBeLessThan(slugs.length);

    const second = await spawnOperator(lease);
    try {
      for (const slug of slugs) await waitForCondition(slug, 'Ready', 'True', undefined, 40_000);
      for (const slug of slugs) {
        const res = await api.request('GET', `/apis/apps/v1/namespaces/tenant-${slug}/deployments/agent`);
        expect(res.status).toBe(200);
      }
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
  }, 120_000);
});

/** The operator as its own process (`operator/src/main.ts`), as the chart runs it. */
async function spawnOperator(lease: string): Promise<ChildProcess> {
  const main = fileURLToPath(new URL('../../main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: {
      PATH: process.env.PATH,
      KUBECONFIG: await api.kubeConfigFile(OPERATOR_USER, ['system:masters']),
      DATABASE_URL: database.url,
      MINDBOT_REGION: 'eu-west',
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      LEASE_NAME: lease,
      OPERATOR_NAMESPACE: SYSTEM_NAMESPACE,
      LEASE_DURATION_MS: '2000',
      RENEW_DEADLINE_MS: '1500',
      RETRY_PERIOD_MS: '300',
      WORKERS: '1',
      AGENT_IMAGE: 'registry.example/mindbot/platform:test',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.resolve();
  });
  return child;
}

async function createAndWait(slug: string): Promise<string | undefined> {
  await createTenant(tenantManifest(slug));
  return conditionOf(await waitForCondition(slug, 'Ready', 'True'), 'Ready')?.status;
}
