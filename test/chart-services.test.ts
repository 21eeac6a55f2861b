import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { parse as parseYaml, stringify } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '@mindbot/config';
import { MIGRATIONS_DIR } from '@mindbot/db';
import { serviceEnv } from '@mindbot/service-runtime';
import { createTestDatabase } from '@mindbot/testing';
import { parseTenantManifest } from '@mindbot/tenancy';
import { loadBillingConfig } from '../services/billing/src/config.js';
import { loadGatewayConfig } from '../services/gateway/src/config.js';
import { loadSsoConfig } from '../services/sso/src/config.js';
import { loadCliConfig } from '../packages/cli/src/config.js';
import { loadOperatorConfig } from '../operator/src/config.js';
import { API_VERSION, KIND, TENANTS_PATH, type Tenant } from '../operator/src/api/v1alpha1/tenant-types.js';
import { namespaceOf, type TenantContext } from '../operator/src/controllers/tenant/context.js';
import { desiredDeployment } from '../operator/src/controllers/tenant/deployment.js';
import { desiredNamespace } from '../operator/src/controllers/tenant/namespace.js';
import { desiredAgentPolicy } from '../operator/src/controllers/tenant/network-policy.js';
import { tenantManifest } from '../operator/src/testing/operator-harness.js';
import { startTestApiServer, type TestApiServer } from '../operator/src/testing/test-api-server.js';
import {
  CHART_DIR,
  HELM,
  NAMESPACE,
  RELEASE,
  admits,
  allOf,
  deploymentSchema,
  docsOf,
  find,
  hpaSchema,
  ingressSchema,
  jobSchema,
  networkPolicySchema,
  pdbSchema,
  peerMatches,
  renderChart,
  requireHelm,
  resolveEnv,
  serviceSchema,
  type Container,
  type Deployment,
  type Pod,
  type Rendered,
} from './support/helm-chart.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const entrypoint = join(repoRoot, 'docker/entrypoint.sh');

/** Each service's own configuration loader: what the process runs at start-up. */
const SERVICES = {
  gateway: (env: NodeJS.ProcessEnv): object => loadGatewayConfig(env),
  billing: (env: NodeJS.ProcessEnv): object => loadBillingConfig(env),
  sso: (env: NodeJS.ProcessEnv): object => loadSsoConfig(env),
} as const;
type ServiceName = keyof typeof SERVICES;
const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** Variables holding credentials: the chart may only ever take them from a Secret. */
const SECRET_VARIABLES = [
  'DATABASE_URL',
  'REDIS_URL',
  'BILLING_SERVICE_TOKEN',
  'BILLING_SERVICE_TOKENS',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'LIVEKIT_API_KEY',
  'LIVEKIT_API_SECRET',
  'SSO_SIGNING_KEYS',
  'SSO_SECRET_KEYS',
];

/** The variables a loader refuses to start without: what it names when the environment is empty. */
function requiredVariables(load: (env: NodeJS.ProcessEnv) => unknown): string[] {
  try {
    load({});
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.variable).sort();
    throw error;
  }
  return [];
}

const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
const gatewayToken = randomBytes(24).toString('base64url');
const previousToken = randomBytes(24).toString('base64url');

/** The Secrets a platform engineer creates before installing (docs/install.md), with valid contents. */
const SECRETS: Record<string, Record<string, string>> = {
  'mindbot-db': { DATABASE_URL: 'postgres://mindbot:pw@postgres.eu-west.internal:5432/mindbot' },
  'mindbot-redis': { REDIS_URL: 'rediss://:pw@redis.eu-west.internal:6380' },
  'mindbot-internal': { BILLING_SERVICE_TOKEN: gatewayToken, BILLING_SERVICE_TOKENS: `${gatewayToken},${previousToken}` },
  'mindbot-stripe': { STRIPE_SECRET_KEY: 'sk_test_51Habc', STRIPE_WEBHOOK_SECRET: 'whsec_abc123' },
  'mindbot-sso': {
    SSO_SIGNING_KEYS: JSON.stringify({ keys: [{ ...signingKey, kid: 'k1' }] }),
    SSO_SIGNING_KID: 'k1',
    SSO_SECRET_KEYS: `e1:${randomBytes(32).toString('base64')}`,
  },
  livekit: { LIVEKIT_URL: 'wss://livekit.eu-west.example', LIVEKIT_API_KEY: 'APIabc', LIVEKIT_API_SECRET: randomBytes(24).toString('base64url') },
};

/** The values an install needs: the region, the base domain, and the names of those Secrets. */
const REQUIRED = {
  region: 'eu-west',
  baseDomain: 'mindbot.example',
  database: { existingSecret: 'mindbot-db' },
  redis: { existingSecret: 'mindbot-redis' },
  internalAuth: { existingSecret: 'mindbot-internal' },
  billing: { stripe: { existingSecret: 'mindbot-stripe' } },
  sso: { existingSecret: 'mindbot-sso' },
};
const WITH_VOICE = { gateway: { livekit: { existingSecret: 'livekit' } } };

type Values = Record<string, unknown>;
const isObject = (v: unknown): v is Values => typeof v === 'object' && v !== null && !Array.isArray(v);
function merge(...layers: Values[]): Values {
  const out: Values = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const current = out[key];
      out[key] = isObject(current) && isObject(value) ? merge(current, value) : value;
    }
  }
  return out;
}

const render = (...overrides: Values[]): Promise<Rendered> => renderChart(merge(REQUIRED, ...overrides));
const nameOf = (component: string) => `${RELEASE}-mindbot-${component}`;
const containerOf = (d: Deployment): Container => {
  const [first] = d.spec.template.spec.containers;
  if (!first) throw new Error(`${d.metadata.name} has no container`);
  return first;
};

describe('the mindbot chart deploys the platform services', () => {
  beforeAll(requireHelm);

  it('renders a Deployment, Service and PodDisruptionBudget for gateway, billing and sso that select the same pods', async () => {
    const docs = docsOf(await render());
    for (const name of SERVICE_NAMES) {
      const deployment = find(docs, deploymentSchema, 'Deployment', nameOf(name));
      const service = find(docs, serviceSchema, 'Service', nameOf(name));
      const pdb = find(docs, pdbSchema, 'PodDisruptionBudget', nameOf(name));
      const podLabels = deployment.spec.template.metadata.labels;
      const container = containerOf(deployment);
      expect({ name, args: container.args, image: container.image }).toEqual({ name, args: [name], image: 'ghcr.io/mindbot/platform:0.1.0' });
      expect({ name, replicas: deployment.spec.replicas }).toEqual({ name, replicas: 2 });
      for (const selector of [deployment.spec.selector.matchLabels, service.spec.selector, pdb.spec.selector.matchLabels]) {
        expect({ name, selected: Object.entries(selector).every(([k, v]) => podLabels[k] === v) }).toEqual({ name, selected: true });
      }
      // The Service's target port is the container port the process listens on (PORT).
      const http = container.ports.find((p) => p.name === 'http');
      expect({ name, type: service.spec.type, ports: service.spec.ports, containerPort: http?.containerPort, PORT: container.env.find((e) => e.name === 'PORT')?.value }).toEqual({
        name,
        type: 'ClusterIP',
        ports: [expect.objectContaining({ port: 8080, targetPort: 'http' })],
        containerPort: 8080,
        PORT: '8080',
      });
      expect(pdb.spec.minAvailable).toBe(1);
    }
    expect(docs.filter((d) => d.kind === 'Secret')).toEqual([]);
  }, 30_000);

  it("gives each service an environment its own config schema accepts, every variable one it reads and every required one set", async () => {
    const docs = docsOf(await render(WITH_VOICE));
    for (const name of SERVICE_NAMES) {
      const load = SERVICES[name];
      const env = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf(name))).env;
      const names = env.map((e) => e.name);
      const required = requiredVariables(load);
      expect(required).toContain('DATABASE_URL');
      expect({ name, requiredButUnset: required.filter((v) => !names.includes(v)) }).toEqual({ name, requiredButUnset: [] });
      expect({ name, duplicates: names.filter((v, i) => names.indexOf(v) !== i) }).toEqual({ name, duplicates: [] });

      const config = load(resolveEnv(env, SECRETS));
      // zod keeps only the keys a schema declares: a variable the service does not read is missing here.
      expect({ name, unread: names.filter((v) => !(v in config)) }).toEqual({ name, unread: [] });
      expect(config).toMatchObject({
        NODE_ENV: 'production',
        HOST: '0.0.0.0',
        PORT: 8080,
        MINDBOT_REGION: 'eu-west',
        BASE_DOMAIN: 'mindbot.example',
        REDIS_URL: SECRETS['mindbot-redis']?.REDIS_URL,
      });
      // The environment every service shares is set explicitly: a default meant for a laptop (HOST 127.0.0.1,
      // BASE_DOMAIN localhost) must never reach a cluster. Only the OTLP endpoint is left out while tracing is off.
      expect({ name, sharedButUnset: Object.keys(serviceEnv).filter((v) => !names.includes(v) && v !== 'OTEL_EXPORTER_OTLP_ENDPOINT') }).toEqual({ name, sharedButUnset: [] });
    }
  }, 30_000);

  it('wires the services to each other: gateway and billing trust the tokens sso issues, billing accepts the gateway token', async () => {
    const docs = docsOf(await render(WITH_VOICE));
    const envOf = (name: ServiceName) => resolveEnv(containerOf(find(docs, deploymentSchema, 'Deployment', nameOf(name))).env, SECRETS);
    const gateway = loadGatewayConfig(envOf('gateway'));
    const billing = loadBillingConfig(envOf('billing'));
    const sso = loadSsoConfig(envOf('sso'));
    const serviceUrl = (name: ServiceName) => {
      const service = find(docs, serviceSchema, 'Service', nameOf(name));
      return `http://${service.metadata.name}.${NAMESPACE}.svc:${service.spec.ports[0]?.port ?? 0}`;
    };
    expect({ gateway: gateway.AUTH_ISSUER, billing: billing.AUTH_ISSUER }).toEqual({ gateway: sso.SSO_ISSUER, billing: sso.SSO_ISSUER });
    expect(sso.SSO_ISSUER).toBe('https://mindbot.example');
    expect({ gateway: gateway.AUTH_AUDIENCE, billing: billing.AUTH_AUDIENCE }).toEqual({ gateway: sso.SSO_AUDIENCE, billing: sso.SSO_AUDIENCE });
    expect({ gateway: gateway.AUTH_JWKS_URL, billing: billing.AUTH_JWKS_URL }).toEqual({
      gateway: `${serviceUrl('sso')}/.well-known/jwks.json`,
      billing: `${serviceUrl('sso')}/.well-known/jwks.json`,
    });
    expect({ billing: gateway.BILLING_URL, sso: gateway.SSO_URL }).toEqual({ billing: serviceUrl('billing'), sso: serviceUrl('sso') });
    expect(billing.BILLING_SERVICE_TOKENS).toContain(gateway.BILLING_SERVICE_TOKEN);
    expect({ base: gateway.BASE_DOMAIN, livekit: gateway.LIVEKIT_URL, appUrl: billing.BILLING_APP_URL }).toEqual({
      base: 'mindbot.example',
      livekit: 'wss://livekit.eu-west.example',
      appUrl: 'https://mindbot.example',
    });
  }, 30_000);

  it('takes every credential from a referenced Secret, never from values, in every workload', async () => {
    const docs = docsOf(await render(WITH_VOICE, { operator: { billing: { existingSecret: 'mindbot-stripe' } } }));
    const workloads = [...allOf(docs, deploymentSchema, 'Deployment'), ...allOf(docs, jobSchema, 'Job')];
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual([nameOf('billing'), nameOf('gateway'), nameOf('migrate'), nameOf('operator'), nameOf('sso')]);
    const secretVars = workloads.flatMap((w) =>
      w.spec.template.spec.containers.flatMap((c) => c.env.filter((e) => SECRET_VARIABLES.includes(e.name)).map((e) => ({ workload: w.metadata.name, ...e }))),
    );
    expect(secretVars.length).toBeGreaterThanOrEqual(SECRET_VARIABLES.length);
    for (const variable of secretVars) {
      expect(variable).toEqual({ workload: variable.workload, name: variable.name, valueFrom: { secretKeyRef: { name: expect.any(String), key: expect.any(String) } } });
    }
  }, 30_000);

  it('runs every platform pod non-root, read-only, RuntimeDefault seccomp, with probes, resources and no service-account token unless it needs the API', async () => {
    const docs = docsOf(await render());
    const pods = [
      ...allOf(docs, deploymentSchema, 'Deployment').map((d) => ({ name: d.metadata.name, template: d.spec.template })),
      ...allOf(docs, jobSchema, 'Job').map((j) => ({ name: j.metadata.name, template: j.spec.template })),
    ];
    expect(pods).toHaveLength(5);
    for (const { name, template } of pods) {
      const { spec } = template;
      expect({ name, pod: spec.securityContext }).toEqual({ name, pod: expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }) });
      expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
      // Only the operator talks to the Kubernetes API.
      expect({ name, automount: spec.automountServiceAccountToken ?? true }).toEqual({ name, automount: name === nameOf('operator') });
      for (const c of spec.containers) {
        expect({ name, container: c.securityContext }).toEqual({ name, container: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } });
        expect({ name, limits: Object.keys(c.resources?.limits ?? {}).sort(), requests: Object.keys(c.resources?.requests ?? {}).sort() }).toEqual({
          name,
          limits: ['cpu', 'memory'],
          requests: ['cpu', 'memory'],
        });
      }
    }
    for (const name of [...SERVICE_NAMES, 'operator']) {
      const c = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf(name)));
      expect({ name, liveness: c.livenessProbe?.httpGet.path, readiness: c.readinessProbe?.httpGet.path, port: c.readinessProbe?.httpGet.port }).toEqual({
        name,
        liveness: '/healthz',
        readiness: '/readyz',
        port: 'http',
      });
    }
  }, 30_000);

  it('migrates before the new version serves: a pre-install/pre-upgrade hook Job runs `mindbot db migrate` with the environment the CLI reads', async () => {
    const docs = docsOf(await render());
    const job = find(docs, jobSchema, 'Job', nameOf('migrate'));
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade' });
    expect(job.metadata.annotations?.['helm.sh/hook-delete-policy']).toContain('before-hook-creation');
    const [container] = job.spec.template.spec.containers;
    expect(container?.args).toEqual(['mindbot', 'db', 'migrate']);
    const env = container?.env ?? [];
    expect(env.find((e) => e.name === 'DATABASE_URL')).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'mindbot-db', key: 'DATABASE_URL' } } });
    const config = loadCliConfig(resolveEnv(env, SECRETS));
    expect({ unread: env.map((e) => e.name).filter((v) => !(v in config)), region: config.MINDBOT_REGION }).toEqual({ unread: [], region: 'eu-west' });
  }, 30_000);

  it("the hook's command, run as the image runs it with the Job's environment, migrates the platform schema and every tenant schema", async () => {
    const docs = docsOf(await render());
    const [container] = find(docs, jobSchema, 'Job', nameOf('migrate')).spec.template.spec.containers;
    if (!container?.args) throw new Error('the migration Job has no args');
    const database = await createTestDatabase();
    const work = await mkdtemp(join(tmpdir(), 'mindbot-migrate-'));
    try {
      const env = { PATH: process.env.PATH ?? '', HOME: work, ...resolveEnv(container.env, { ...SECRETS, 'mindbot-db': { DATABASE_URL: database.url } }) };
      const migrate = () => run(entrypoint, container.args ?? [], { env, cwd: work });
      expect((await migrate()).stdout).toContain('Platform schema up to date; 0 tenant schema(s) checked');
      // A tenant provisioned by an older release: its schema lacks the newest tenant migration.
      const older = join(work, 'migrations');
      await cp(MIGRATIONS_DIR, older, { recursive: true });
      const tenantMigrations = (await readdir(join(older, 'tenant'))).filter((f) => f.endsWith('.sql')).sort();
      const newest = tenantMigrations.at(-1);
      if (!newest) throw new Error('no tenant migrations');
      await rm(join(older, 'tenant', newest));
      await run(entrypoint, ['mindbot', 'tenant', 'provision', join(repoRoot, 'examples/tenants/acme.yaml')], { env: { ...env, MINDBOT_MIGRATIONS_DIR: older }, cwd: work });
      const { stdout } = await migrate();
      expect(stdout).toContain('1 tenant schema(s) checked, 1 migration(s) applied');
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM platform.schema_migrations WHERE schema_name LIKE 't\\_%'");
        expect(Number(rows[0]?.n)).toBe(tenantMigrations.length);
      } finally {
        await client.end();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
      await database.dispose();
    }
  }, 120_000);

  it("lets tenant agents reach gateway and billing where the operator's tenant NetworkPolicy sends them, and keeps them off sso", async () => {
    const docs = docsOf(await render());
    const operatorEnv = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('operator'))).env;
    const operator = loadOperatorConfig(resolveEnv(operatorEnv, SECRETS));
    const serviceHost = (name: ServiceName) => `http://${nameOf(name)}.${NAMESPACE}.svc:8080`;
    expect({ platformNamespace: operator.PLATFORM_NAMESPACE, gateway: operator.GATEWAY_URL, billing: operator.BILLING_URL }).toEqual({
      platformNamespace: NAMESPACE,
      gateway: serviceHost('gateway'),
      billing: serviceHost('billing'),
    });

    // The tenant's objects, as the operator computes them from the configuration the chart gives it.
    const manifest = parseTenantManifest(tenantManifest('acme'));
    const tenant: Tenant = { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'acme', uid: 'uid-acme' }, spec: manifest.spec };
    const ctx: TenantContext = {
      tenant,
      slug: 'acme',
      namespace: namespaceOf('acme'),
      livekit: {},
      config: {
        region: 'eu-west',
        agentImage: operator.AGENT_IMAGE,
        platformNamespace: operator.PLATFORM_NAMESPACE,
        defaultLivekitSecret: operator.LIVEKIT_SECRET,
        livekitCidr: operator.LIVEKIT_CIDR,
        gatewayUrl: operator.GATEWAY_URL,
        billingUrl: operator.BILLING_URL,
      },
    };
    const agentPolicy = networkPolicySchema.parse(desiredAgentPolicy(ctx));
    const namespaceLabels = { ...desiredNamespace(ctx).metadata.labels, 'kubernetes.io/metadata.name': ctx.namespace };
    const agentLabels = deploymentSchema.parse(desiredDeployment(ctx)).spec.template.metadata.labels;
    const agent: Pod = { namespace: ctx.namespace, namespaceLabels, labels: agentLabels };
    const platformPod = (name: ServiceName): Pod => ({
      namespace: NAMESPACE,
      namespaceLabels: { 'kubernetes.io/metadata.name': NAMESPACE },
      labels: find(docs, deploymentSchema, 'Deployment', nameOf(name)).spec.template.metadata.labels,
    });
    const agentMayCall = (name: ServiceName) =>
      (agentPolicy.spec.egress ?? []).some((rule) => (rule.to ?? []).some((p) => peerMatches(p, ctx.namespace, platformPod(name))) && (rule.ports ?? []).some((p) => p.port === 8080));
    const platformAdmits = (name: ServiceName) => admits(find(docs, networkPolicySchema, 'NetworkPolicy', nameOf(name)), agent, 8080);

    expect({ gateway: agentMayCall('gateway'), billing: agentMayCall('billing') }).toEqual({ gateway: true, billing: true });
    expect({ gateway: platformAdmits('gateway'), billing: platformAdmits('billing'), sso: platformAdmits('sso') }).toEqual({ gateway: true, billing: true, sso: false });
    // Billing and sso take calls from the platform only: a pod of another namespace is refused.
    const stranger: Pod = { namespace: 'default', namespaceLabels: { 'kubernetes.io/metadata.name': 'default' }, labels: { app: 'curl' } };
    expect({ billing: platformAdmits('billing') && admits(find(docs, networkPolicySchema, 'NetworkPolicy', nameOf('billing')), stranger, 8080) }).toEqual({ billing: false });
    expect(admits(find(docs, networkPolicySchema, 'NetworkPolicy', nameOf('sso')), platformPod('gateway'), 8080)).toBe(true);
    expect(admits(find(docs, networkPolicySchema, 'NetworkPolicy', nameOf('sso')), stranger, 8080)).toBe(false);
  }, 30_000);

  it('routes the base domain, its wildcard and the regional wildcard to the gateway when the Ingress is on, trusting one proxy hop', async () => {
    const docs = docsOf(await render({ gateway: { ingress: { enabled: true, className: 'nginx', tlsSecret: 'mindbot-tls', extraHosts: ['voice.acme.example'] } } }));
    const ingress = find(docs, ingressSchema, 'Ingress', nameOf('gateway'));
    const hosts = ['mindbot.example', '*.mindbot.example', '*.eu-west.mindbot.example', 'voice.acme.example'];
    expect(ingress.spec.rules.map((r) => r.host)).toEqual(hosts);
    expect(ingress.spec.tls).toEqual([{ secretName: 'mindbot-tls', hosts }]);
    for (const rule of ingress.spec.rules) {
      expect(rule.http.paths).toEqual([expect.objectContaining({ path: '/', backend: { service: { name: nameOf('gateway'), port: { name: 'http' } } } })]);
    }
    const trust = (d: typeof docs) => containerOf(find(d, deploymentSchema, 'Deployment', nameOf('gateway'))).env.find((e) => e.name === 'TRUST_PROXY')?.value;
    expect(trust(docs)).toBe('1');
    const without = docsOf(await render());
    expect({ ingresses: without.filter((d) => d.kind === 'Ingress').length, trust: trust(without) }).toEqual({ ingresses: 0, trust: 'false' });
  }, 30_000);

  it('hands the replicas to a HorizontalPodAutoscaler when autoscaling is on', async () => {
    const docs = docsOf(await render({ billing: { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 9 } } }));
    const hpa = find(docs, hpaSchema, 'HorizontalPodAutoscaler', nameOf('billing'));
    expect(hpa.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: nameOf('billing') }, minReplicas: 3, maxReplicas: 9 });
    expect(find(docs, deploymentSchema, 'Deployment', nameOf('billing')).spec.replicas).toBeUndefined();
    expect(docs.filter((d) => d.kind === 'HorizontalPodAutoscaler').map((d) => d.metadata.name)).toEqual([nameOf('billing')]);
  }, 30_000);

  it('passes plain extraEnv settings through to the service, which reads them', async () => {
    const docs = docsOf(await render({ billing: { extraEnv: { STRIPE_API_URL: 'http://stripe-mock.test:12111' } } }));
    const env = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('billing'))).env;
    expect(loadBillingConfig(resolveEnv(env, SECRETS)).STRIPE_API_URL).toBe('http://stripe-mock.test:12111');
  }, 30_000);

  it('installs the operator alone with only the region and the database Secret', async () => {
    const docs = docsOf(
      await renderChart({ region: 'eu-west', database: { existingSecret: 'mindbot-db' }, gateway: { enabled: false }, billing: { enabled: false }, sso: { enabled: false } }),
    );
    expect(docs.filter((d) => d.kind === 'Deployment').map((d) => d.metadata.name)).toEqual([nameOf('operator')]);
    const env = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('operator'))).env.map((e) => e.name);
    expect(env).not.toContain('GATEWAY_URL');
  }, 30_000);

  it.each<[string, Values, string]>([
    ['no database Secret', { database: { existingSecret: '' } }, 'database.existingSecret is required'],
    ['no base domain', { baseDomain: '' }, 'baseDomain is required'],
    ['no service-token Secret', { internalAuth: { existingSecret: '' } }, 'internalAuth.existingSecret is required'],
    ['no Stripe Secret', { billing: { stripe: { existingSecret: '' } } }, 'billing.stripe.existingSecret is required'],
    ['no SSO Secret', { sso: { existingSecret: '' } }, 'sso.existingSecret is required'],
    ['two gateway replicas without Redis', { redis: { existingSecret: '' } }, 'redis.existingSecret is required when gateway runs more than one replica'],
    ['a PDB no drain can satisfy', { gateway: { podDisruptionBudget: { minAvailable: 2 } } }, 'gateway.podDisruptionBudget.minAvailable must be less than gateway.replicas'],
    ['autoscaling bounds crossed', { billing: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 3 } } }, 'billing.autoscaling.minReplicas must not exceed billing.autoscaling.maxReplicas'],
    ['a gateway without sso', { sso: { enabled: false } }, 'gateway.enabled requires billing.enabled and sso.enabled'],
    ['services outside platformNamespace', { platformNamespace: 'elsewhere' }, 'platformNamespace elsewhere must be the release namespace mindbot-system'],
    ['a secret in extraEnv', { gateway: { extraEnv: { STRIPE_SECRET_KEY: 'sk_live_x' } } }, 'gateway.extraEnv.STRIPE_SECRET_KEY looks like a secret'],
    ['a chart-managed variable in extraEnv', { billing: { extraEnv: { METERING_CHUNK_SECONDS: '30' } } }, 'billing.extraEnv.METERING_CHUNK_SECONDS is set by the chart'],
    ['a rate-limit share above 1', { gateway: { rateLimit: { ipShare: 2 } } }, 'ipShare'],
    ['a region URL without {tenant}', { gateway: { regionUrls: { 'us-east': 'https://us.mindbot.example' } } }, 'regionUrls'],
    ['a secret value in values', { database: { url: 'postgres://u:p@h/db' } }, "additional properties 'url' not allowed"],
  ])('refuses %s with a message naming the value', async (_case, overrides, message) => {
    const rendered = await render(overrides);
    expect(rendered).toMatchObject({ ok: false, error: expect.stringContaining(message) });
    if (!rendered.ok) expect(rendered.error).not.toContain('p@h');
  }, 30_000);

  it('passes helm lint --strict with the required values, and lint fails on a value the schema refuses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mindbot-lint-'));
    const lint = async (values: Values) => {
      const file = join(dir, 'values.yaml');
      await writeFile(file, stringify(values));
      return run(HELM, ['lint', CHART_DIR, '--strict', '--namespace', NAMESPACE, '-f', file]).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: unknown) => ({ code: (error as { code?: number }).code ?? -1, stdout: String((error as { stdout?: string }).stdout) }),
      );
    };
    try {
      expect(await lint(REQUIRED)).toEqual({ code: 0, stdout: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed') });
      // (helm lint reports templates/validate.yaml's `fail` only as [INFO]; the refusals above use helm template, as install does.)
      expect(await lint(merge(REQUIRED, { sso: { loginRate: { perIp: 0 } } }))).toEqual({ code: 1, stdout: expect.stringContaining('/sso/loginRate/perIp') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('describes every value of values.yaml in values.schema.json, and nothing else', () => {
    const values: unknown = parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'));
    const schema: unknown = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    const problems: string[] = [];
    const walk = (value: unknown, node: unknown, path: string): void => {
      if (!isObject(node)) return;
      const properties = node.properties;
      if (!isObject(value) || !isObject(properties)) return;
      for (const key of Object.keys(value)) {
        if (!(key in properties)) problems.push(`${path}${key}: in values.yaml, not in the schema`);
        else walk(value[key], properties[key], `${path}${key}.`);
      }
      for (const key of Object.keys(properties)) if (!(key in value)) problems.push(`${path}${key}: in the schema, not in values.yaml`);
    };
    walk(values, schema, '');
    expect(problems).toEqual([]);
  });

  it('starts each rendered workload through the image entry point with its own program', async () => {
    const docs = docsOf(await render());
    const workloads = [...allOf(docs, deploymentSchema, 'Deployment'), ...allOf(docs, jobSchema, 'Job')];
    for (const w of workloads) {
      const args = w.spec.template.spec.containers[0]?.args ?? [];
      // A bad DATABASE_URL: each program must refuse it at start-up (exit 2), which proves the entry point ran it.
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(entrypoint, args, { env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'not-a-url' }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect({ workload: w.metadata.name, code: result.code, namesVariable: result.stderr.includes('DATABASE_URL') }).toEqual({ workload: w.metadata.name, code: 2, namesVariable: true });
    }
  }, 120_000);
});

/** Where each rendered kind is created (namespaced unless noted). */
const COLLECTIONS: Record<string, { prefix: string; plural: string; cluster?: true }> = {
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments' },
  Service: { prefix: '/api/v1', plural: 'services' },
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts' },
  Pod: { prefix: '/api/v1', plural: 'pods' },
  PodDisruptionBudget: { prefix: '/apis/policy/v1', plural: 'poddisruptionbudgets' },
  HorizontalPodAutoscaler: { prefix: '/apis/autoscaling/v2', plural: 'horizontalpodautoscalers' },
  Ingress: { prefix: '/apis/networking.k8s.io/v1', plural: 'ingresses' },
  NetworkPolicy: { prefix: '/apis/networking.k8s.io/v1', plural: 'networkpolicies' },
  Job: { prefix: '/apis/batch/v1', plural: 'jobs' },
  Role: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'roles' },
  RoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'rolebindings' },
  ClusterRole: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterroles', cluster: true },
  ClusterRoleBinding: { prefix: '/apis/rbac.authorization.k8s.io/v1', plural: 'clusterrolebindings', cluster: true },
};

describe('a real Kubernetes API server', () => {
  let api: TestApiServer;
  // The platform namespace held to the Pod Security "restricted" profile, as the tenants' are.
  const restricted = 'mindbot-system';

  beforeAll(async () => {
    requireHelm();
    api = await startTestApiServer();
    const created = await api.request('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: restricted, labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
    });
    expect(created.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await api.stop();
  });

  const dryRunCreate = async (kind: string, object: unknown) => {
    const collection = COLLECTIONS[kind];
    if (!collection) throw new Error(`no collection known for ${kind}`);
    const path = collection.cluster ? `${collection.prefix}/${collection.plural}` : `${collection.prefix}/namespaces/${restricted}/${collection.plural}`;
    return api.request('POST', `${path}?dryRun=All&fieldValidation=Strict`, object);
  };

  it('accepts every object the chart renders, with strict field validation, and runs every pod under the restricted Pod Security profile', async () => {
    const docs = docsOf(
      await render(WITH_VOICE, {
        gateway: { ingress: { enabled: true, tlsSecret: 'mindbot-tls' }, autoscaling: { enabled: true } },
        operator: { billing: { existingSecret: 'mindbot-stripe' } },
        networkPolicy: {
          metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
        },
      }),
    );
    const refused: { object: string; status: number; body: unknown }[] = [];
    for (const doc of docs) {
      const result = await dryRunCreate(doc.kind, doc.raw);
      if (result.status !== 201) refused.push({ object: `${doc.kind}/${doc.metadata.name}`, status: result.status, body: result.body });
    }
    // Pod Security admission judges pods, not their controllers: create each pod template as a Pod.
    const withTemplate = z.object({ metadata: z.object({ name: z.string() }), spec: z.object({ template: z.object({ metadata: z.record(z.string(), z.unknown()), spec: z.record(z.string(), z.unknown()) }) }) });
    for (const doc of docs.filter((d) => d.kind === 'Deployment' || d.kind === 'Job')) {
      const workload = withTemplate.parse(doc.raw);
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { ...workload.spec.template.metadata, name: `${workload.metadata.name}-pod` }, spec: workload.spec.template.spec };
      const result = await dryRunCreate('Pod', pod);
      if (result.status !== 201) refused.push({ object: `Pod of ${doc.kind}/${workload.metadata.name}`, status: result.status, body: result.body });
    }
    expect(refused).toEqual([]);
    expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(['Ingress', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'Job', 'PodDisruptionBudget']));
  }, 120_000);

  /**
   * Runs helm against the API server. There is no kubelet, so the migration hook Job never runs:
   * the test plays the Job controller and marks it succeeded or failed, as a real migration would.
   */
  async function helmWithHook(args: string[], migration: 'succeeds' | 'fails'): Promise<{ code: number | null; stderr: string }> {
    const home = await mkdtemp(join(tmpdir(), 'mindbot-helm-'));
    const values = join(home, 'values.yaml');
    await writeFile(values, stringify(REQUIRED));
    const jobPath = `/apis/batch/v1/namespaces/${restricted}/jobs/mindbot-migrate`;
    try {
      const child = spawn(HELM, [...args, '--namespace', restricted, '--kubeconfig', await api.kubeConfigFile(), '--timeout', '90s', '-f', values], {
        env: { PATH: process.env.PATH ?? '', HOME: home, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const pending = z.object({ status: z.object({ conditions: z.array(z.unknown()).optional() }).optional() });
      for (let marked = false; !marked; ) {
        const job = await api.request('GET', jobPath);
        if (job.status === 200 && !pending.parse(job.body).status?.conditions) {
          const now = new Date().toISOString();
          const condition = (type: string, reason: string) => ({ type, status: 'True', reason, message: reason, lastProbeTime: now, lastTransitionTime: now });
          const status =
            migration === 'succeeds'
              ? { startTime: now, completionTime: now, succeeded: 1, conditions: [condition('SuccessCriteriaMet', 'CompletionsReached'), condition('Complete', 'CompletionsReached')] }
              : { startTime: now, failed: 2, conditions: [condition('FailureTarget', 'BackoffLimitExceeded'), condition('Failed', 'BackoffLimitExceeded')] };
          expect((await api.request('PATCH', `${jobPath}/status`, { status }, 'application/merge-patch+json')).status).toBe(200);
          marked = true;
        } else {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      return { code: await exited, stderr };
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }

  const imagesOf = async () => {
    const list = z.object({ items: z.array(z.object({ metadata: z.object({ name: z.string() }), spec: z.object({ template: z.object({ spec: z.object({ containers: z.array(z.object({ image: z.string() })) }) }) }) })) });
    const { body } = await api.request('GET', `/apis/apps/v1/namespaces/${restricted}/deployments`);
    return Object.fromEntries(list.parse(body).items.map((d) => [d.metadata.name, d.spec.template.spec.containers[0]?.image]));
  };

  it('helm install, then helm upgrade: migrations run before any Deployment changes, a failed migration leaves the running version alone, and Tenants survive', async () => {
    const chart = ['mindbot', CHART_DIR];
    const installed = await helmWithHook(['install', ...chart], 'succeeds');
    expect(installed).toEqual({ code: 0, stderr: '' });
    const v1 = 'ghcr.io/mindbot/platform:0.1.0';
    expect(await imagesOf()).toEqual({ 'mindbot-billing': v1, 'mindbot-gateway': v1, 'mindbot-operator': v1, 'mindbot-sso': v1 });

    // A tenant exists (the CRD came with the chart); upgrades must not touch it.
    expect((await api.request('POST', TENANTS_PATH, tenantManifest('acme'))).status).toBe(201);

    const failed = await helmWithHook(['upgrade', ...chart, '--set', 'image.tag=0.2.0'], 'fails');
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('pre-upgrade hooks failed');
    expect(await imagesOf()).toEqual({ 'mindbot-billing': v1, 'mindbot-gateway': v1, 'mindbot-operator': v1, 'mindbot-sso': v1 });

    const upgraded = await helmWithHook(['upgrade', ...chart, '--set', 'image.tag=0.2.0'], 'succeeds');
    expect(upgraded).toEqual({ code: 0, stderr: '' });
    const v2 = 'ghcr.io/mindbot/platform:0.2.0';
    expect(await imagesOf()).toEqual({ 'mindbot-billing': v2, 'mindbot-gateway': v2, 'mindbot-operator': v2, 'mindbot-sso': v2 });

    // In the API server's own record: the last migration Job succeeded before the first Deployment changed.
    const writes = (await api.writeRequests()).filter((e) => e.objectRef?.namespace === restricted && (e.responseStatus?.code ?? 0) < 300);
    const lastJobDone = writes.map((e) => `${e.verb} ${e.objectRef?.resource ?? ''}/${e.objectRef?.subresource ?? ''}`).lastIndexOf('patch jobs/status');
    const firstRollout = writes.findIndex((e) => e.verb === 'patch' && e.objectRef?.resource === 'deployments');
    expect(lastJobDone).toBeGreaterThan(-1);
    expect(firstRollout).toBeGreaterThan(lastJobDone);

    const tenant = await api.request('GET', `${TENANTS_PATH}/acme`);
    expect(tenant.status).toBe(200);
  }, 240_000);
});

