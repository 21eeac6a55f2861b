import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
import { loadCliConfig } from '../cli/src/config.js';
import { agentNameOf, loadAgentConfig } from '../services/agent/src/config.js';
import { loadOperatorConfig, workloadConfigOf, type OperatorConfig } from '../operator/src/config.js';
import { API_VERSION, KIND, TENANTS_PATH, type Tenant } from '../operator/src/api/v1alpha1/tenant-types.js';
import { PROVIDER_KEYS } from '../operator/src/controllers/tenant/agent-providers.js';
import { namespaceOf, type TenantContext } from '../operator/src/controllers/tenant/context.js';
import { desiredDeployment } from '../operator/src/controllers/tenant/deployment.js';
import { desiredObjects } from '../operator/src/controllers/tenant/desired-objects.js';
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
  'OPENAI_API_KEY',
  'DEEPGRAM_API_KEY',
  'ELEVEN_API_KEY',
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
  livekit: {
    LIVEKIT_URL: 'wss://livekit.eu-west.example',
    LIVEKIT_API_KEY: 'APIabc',
    LIVEKIT_API_SECRET: randomBytes(24).toString('base64url'),
  },
  // Key names of a platform engineer's own choosing (agent.providers.*ApiKeyKey).
  'mindbot-providers': { 'openai-key': 'sk-proj-test', 'deepgram-key': 'dg-test', 'elevenlabs-key': 'el-test' },
  // A Redis user limited to the agents' keys, on the platform's Redis.
  'mindbot-agent-redis': { REDIS_URL: 'rediss://mindbot-agent:agent-pw@redis.eu-west.internal:6380' },
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
/** Real speech and language providers, their keys from a Secret. */
const WITH_PROVIDERS = {
  agent: {
    providers: {
      llm: 'openai',
      llmModel: 'gpt-4.1',
      stt: 'deepgram',
      tts: 'elevenlabs',
      voiceMap: { aurora: 'voice-aurora', cedar: 'voice-cedar' },
      existingSecret: 'mindbot-providers',
      openaiApiKeyKey: 'openai-key',
      deepgramApiKeyKey: 'deepgram-key',
      elevenApiKeyKey: 'elevenlabs-key',
    },
  },
};
const POOL = 'agent-pool';

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

/** Tenant acme's objects, as the operator computes them from the configuration the chart gives it. */
function tenantContext(operator: OperatorConfig): TenantContext {
  const manifest = parseTenantManifest(tenantManifest('acme'));
  const tenant: Tenant = { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'acme', uid: 'uid-acme' }, spec: manifest.spec };
  return {
    tenant,
    slug: 'acme',
    namespace: namespaceOf('acme'),
    livekit: {},
    providerKeys: {},
    redis: {},
    config: workloadConfigOf(operator),
  };
}

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
      expect({ name, args: container.args, image: container.image }).toEqual({
        name,
        args: [name],
        image: 'ghcr.io/mindbot/platform:0.1.0',
      });
      expect({ name, replicas: deployment.spec.replicas }).toEqual({ name, replicas: 2 });
      for (const selector of [deployment.spec.selector.matchLabels, service.spec.selector, pdb.spec.selector.matchLabels]) {
        expect({ name, selected: Object.entries(selector).every(([k, v]) => podLabels[k] === v) }).toEqual({ name, selected: true });
      }
      // The Service's target port is the container port the process listens on (PORT).
      const http = container.ports.find((p) => p.name === 'http');
      expect({
        name,
        type: service.spec.type,
        ports: service.spec.ports,
        containerPort: http?.containerPort,
        PORT: container.env.find((e) => e.name === 'PORT')?.value,
      }).toEqual({
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

  it('gives each service an environment its own config schema accepts, every variable one it reads and every required one set', async () => {
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
      expect({
        name,
        sharedButUnset: Object.keys(serviceEnv).filter((v) => !names.includes(v) && v !== 'OTEL_EXPORTER_OTLP_ENDPOINT'),
      }).toEqual({ name, sharedButUnset: [] });
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
    expect({ gateway: gateway.AUTH_AUDIENCE, billing: billing.AUTH_AUDIENCE }).toEqual({
      gateway: sso.SSO_AUDIENCE,
      billing: sso.SSO_AUDIENCE,
    });
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

  it('lets the operator invite Tenant owners through sso with the gateway token, and gives sso its mail server by reference', async () => {
    const docs = docsOf(await render({ mail: { existingSecret: 'mindbot-mail', from: 'hello@mindbot.example' } }));
    const secrets = { ...SECRETS, 'mindbot-mail': { SMTP_URL: 'smtps://mailer:pw@smtp.eu-west.example:465' } };
    const ssoEnv = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('sso'))).env;
    const sso = loadSsoConfig(resolveEnv(ssoEnv, secrets));
    const operator = loadOperatorConfig(
      resolveEnv(containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('operator'))).env, secrets),
    );
    const ssoService = find(docs, serviceSchema, 'Service', nameOf('sso'));
    expect(operator.SSO_URL).toBe(`http://${ssoService.metadata.name}.${NAMESPACE}.svc:${ssoService.spec.ports[0]?.port ?? 0}`);
    expect(sso.SSO_SERVICE_TOKENS).toContain(operator.SSO_SERVICE_TOKEN);
    expect({ smtp: sso.SMTP_URL, from: sso.MAIL_FROM }).toEqual({
      smtp: 'smtps://mailer:pw@smtp.eu-west.example:465',
      from: 'hello@mindbot.example',
    });
    expect(ssoEnv.find((e) => e.name === 'SMTP_URL')?.value).toBeUndefined();
    // The gateway's jobs component sends the users' notifications through the same server (ADR 0058).
    const gatewayEnv = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('gateway'))).env;
    const gateway = loadGatewayConfig(resolveEnv(gatewayEnv, secrets));
    expect({ smtp: gateway.SMTP_URL, from: gateway.MAIL_FROM }).toEqual({
      smtp: 'smtps://mailer:pw@smtp.eu-west.example:465',
      from: 'hello@mindbot.example',
    });
  }, 30_000);

  it('takes every credential from a referenced Secret, never from values, in every workload', async () => {
    const docs = docsOf(await render(WITH_VOICE, WITH_PROVIDERS, { operator: { billing: { existingSecret: 'mindbot-stripe' } } }));
    const workloads = [...allOf(docs, deploymentSchema, 'Deployment'), ...allOf(docs, jobSchema, 'Job')];
    expect(workloads.map((w) => w.metadata.name).sort()).toEqual([
      nameOf(POOL),
      nameOf('billing'),
      nameOf('gateway'),
      nameOf('migrate'),
      nameOf('operator'),
      nameOf('sso'),
    ]);
    const secretVars = workloads.flatMap((w) =>
      w.spec.template.spec.containers.flatMap((c) =>
        c.env.filter((e) => SECRET_VARIABLES.includes(e.name)).map((e) => ({ workload: w.metadata.name, ...e })),
      ),
    );
    expect(secretVars.length).toBeGreaterThanOrEqual(SECRET_VARIABLES.length);
    for (const variable of secretVars) {
      // Provider keys are optional references: the Secret holds those of the providers chosen (validate.yaml insists on the Secret).
      const ref = PROVIDER_KEYS.some((key) => key === variable.name)
        ? { name: expect.any(String), key: expect.any(String), optional: true }
        : { name: expect.any(String), key: expect.any(String) };
      expect(variable).toEqual({ workload: variable.workload, name: variable.name, valueFrom: { secretKeyRef: ref } });
    }
    // The operator holds no key: it names the provider Secret, whose keys it copies into each tenant namespace.
    const operatorEnv = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('operator'))).env;
    expect(operatorEnv.filter((e) => PROVIDER_KEYS.some((key) => key === e.name))).toEqual([]);
    expect(operatorEnv.find((e) => e.name === 'AGENT_PROVIDER_SECRET')).toEqual({
      name: 'AGENT_PROVIDER_SECRET',
      value: `${NAMESPACE}/mindbot-providers`,
    });
    const rendered = JSON.stringify(docs.map((d) => d.raw));
    for (const value of Object.values(SECRETS)
      .flatMap((secret) => Object.values(secret))
      .filter((v) => v.length >= 6))
      expect(rendered).not.toContain(value);
  }, 30_000);

  it('runs every platform pod non-root, read-only, RuntimeDefault seccomp, with probes, resources and no service-account token unless it needs the API', async () => {
    const docs = docsOf(await render(WITH_VOICE));
    const pods = [
      ...allOf(docs, deploymentSchema, 'Deployment').map((d) => ({ name: d.metadata.name, template: d.spec.template })),
      ...allOf(docs, jobSchema, 'Job').map((j) => ({ name: j.metadata.name, template: j.spec.template })),
    ];
    expect(pods).toHaveLength(6);
    for (const { name, template } of pods) {
      const { spec } = template;
      expect({ name, pod: spec.securityContext }).toEqual({
        name,
        pod: expect.objectContaining({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }),
      });
      expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
      // Only the operator talks to the Kubernetes API.
      expect({ name, automount: spec.automountServiceAccountToken ?? true }).toEqual({ name, automount: name === nameOf('operator') });
      for (const c of spec.containers) {
        expect({ name, container: c.securityContext }).toEqual({
          name,
          container: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        });
        expect({
          name,
          limits: Object.keys(c.resources?.limits ?? {}).sort(),
          requests: Object.keys(c.resources?.requests ?? {}).sort(),
        }).toEqual({
          name,
          limits: ['cpu', 'memory'],
          requests: ['cpu', 'memory'],
        });
      }
    }
    for (const name of [...SERVICE_NAMES, 'operator', POOL]) {
      const c = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf(name)));
      expect({
        name,
        liveness: c.livenessProbe?.httpGet.path,
        readiness: c.readinessProbe?.httpGet.path,
        port: c.readinessProbe?.httpGet.port,
      }).toEqual({
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
    expect(env.find((e) => e.name === 'DATABASE_URL')).toEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'mindbot-db', key: 'DATABASE_URL' } },
    });
    const config = loadCliConfig(resolveEnv(env, SECRETS));
    expect({ unread: env.map((e) => e.name).filter((v) => !(v in config)), region: config.MINDBOT_REGION }).toEqual({
      unread: [],
      region: 'eu-west',
    });
  }, 30_000);

  it("the hook's command, run as the image runs it with the Job's environment, migrates the platform schema and every tenant schema", async () => {
    const docs = docsOf(await render());
    const [container] = find(docs, jobSchema, 'Job', nameOf('migrate')).spec.template.spec.containers;
    if (!container?.args) throw new Error('the migration Job has no args');
    const database = await createTestDatabase();
    const work = await mkdtemp(join(tmpdir(), 'mindbot-migrate-'));
    try {
      const env = {
        PATH: process.env.PATH ?? '',
        HOME: work,
        ...resolveEnv(container.env, { ...SECRETS, 'mindbot-db': { DATABASE_URL: database.url } }),
      };
      const migrate = () => run(entrypoint, container.args ?? [], { env, cwd: work });
      expect((await migrate()).stdout).toContain('Platform schema up to date; 0 tenant schema(s) checked');
      // A tenant provisioned by an older release: its schema lacks the newest tenant migration.
      const older = join(work, 'migrations');
      await cp(MIGRATIONS_DIR, older, { recursive: true });
      const tenantMigrations = (await readdir(join(older, 'tenant'))).filter((f) => f.endsWith('.sql')).sort();
      const newest = tenantMigrations.at(-1);
      if (!newest) throw new Error('no tenant migrations');
      await rm(join(older, 'tenant', newest));
      await run(entrypoint, ['mindbot', 'tenant', 'provision', join(repoRoot, 'examples/tenants/acme.yaml')], {
        env: { ...env, MINDBOT_MIGRATIONS_DIR: older },
        cwd: work,
      });
      const { stdout } = await migrate();
      expect(stdout).toContain('1 tenant schema(s) checked, 1 migration(s) applied');
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM platform.schema_migrations WHERE schema_name LIKE 't\\_%'",
        );
        expect(Number(rows[0]?.n)).toBe(tenantMigrations.length);
      } finally {
        await client.end();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
      await database.dispose();
    }
  }, 120_000);

  it("lets the agents (the operator's tenant agents and the shared pool) reach billing, and nothing else of the platform", async () => {
    const docs = docsOf(await render(WITH_VOICE));
    const operatorEnv = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('operator'))).env;
    const operator = loadOperatorConfig(resolveEnv(operatorEnv, SECRETS));
    const serviceHost = (name: ServiceName) => `http://${nameOf(name)}.${NAMESPACE}.svc:8080`;
    expect({ platformNamespace: operator.PLATFORM_NAMESPACE, billing: operator.BILLING_URL }).toEqual({
      platformNamespace: NAMESPACE,
      billing: serviceHost('billing'),
    });

    const ctx = tenantContext(operator);
    const agentPolicy = networkPolicySchema.parse(desiredAgentPolicy(ctx));
    const namespaceLabels = { ...desiredNamespace(ctx).metadata.labels, 'kubernetes.io/metadata.name': ctx.namespace };
    const agentLabels = deploymentSchema.parse(desiredDeployment(ctx)).spec.template.metadata.labels;
    const agent: Pod = { namespace: ctx.namespace, namespaceLabels, labels: agentLabels };
    const inPlatform = (labels: Record<string, string>): Pod => ({
      namespace: NAMESPACE,
      namespaceLabels: { 'kubernetes.io/metadata.name': NAMESPACE },
      labels,
    });
    const platformPod = (name: ServiceName): Pod =>
      inPlatform(find(docs, deploymentSchema, 'Deployment', nameOf(name)).spec.template.metadata.labels);
    const pool = inPlatform(find(docs, deploymentSchema, 'Deployment', nameOf(POOL)).spec.template.metadata.labels);
    const poolPolicy = find(docs, networkPolicySchema, 'NetworkPolicy', nameOf(POOL));
    const mayCall = (policy: typeof agentPolicy, from: string, name: ServiceName) =>
      (policy.spec.egress ?? []).some(
        (rule) => (rule.to ?? []).some((p) => peerMatches(p, from, platformPod(name))) && (rule.ports ?? []).some((p) => p.port === 8080),
      );
    const platformAdmits = (name: ServiceName, source: Pod) =>
      admits(find(docs, networkPolicySchema, 'NetworkPolicy', nameOf(name)), source, 8080);

    // The worker's only platform service is billing (each job's routes, with that job's credential).
    expect({
      gateway: mayCall(agentPolicy, ctx.namespace, 'gateway'),
      billing: mayCall(agentPolicy, ctx.namespace, 'billing'),
      sso: mayCall(agentPolicy, ctx.namespace, 'sso'),
    }).toEqual({ gateway: false, billing: true, sso: false });
    expect({
      gateway: mayCall(poolPolicy, NAMESPACE, 'gateway'),
      billing: mayCall(poolPolicy, NAMESPACE, 'billing'),
      sso: mayCall(poolPolicy, NAMESPACE, 'sso'),
    }).toEqual({ gateway: false, billing: true, sso: false });
    expect({ billing: platformAdmits('billing', agent), sso: platformAdmits('sso', agent) }).toEqual({ billing: true, sso: false });
    expect({ billing: platformAdmits('billing', pool), sso: platformAdmits('sso', pool) }).toEqual({ billing: true, sso: false });
    // Both reach LiveKit (signalling and media) and the providers over HTTPS, at the CIDRs the values give.
    for (const policy of [agentPolicy, poolPolicy]) {
      const cidrs = (policy.spec.egress ?? []).flatMap((rule) =>
        (rule.to ?? []).flatMap((p) => (p.ipBlock ? [{ cidr: p.ipBlock.cidr, ports: (rule.ports ?? []).map((q) => q.port) }] : [])),
      );
      expect(cidrs).toEqual([
        { cidr: '0.0.0.0/0', ports: [443, 7880, 7881, 3478, 50000] },
        { cidr: '0.0.0.0/0', ports: [443] },
      ]);
    }
    // Nothing calls an agent: the pool admits only metricsFrom (none here), as the tenant agents admit nobody.
    expect({
      pool: poolPolicy.spec.ingress ?? [],
      tenant: agentPolicy.spec.ingress ?? [],
      types: [poolPolicy.spec.policyTypes, agentPolicy.spec.policyTypes],
    }).toEqual({
      pool: [],
      tenant: [],
      types: [
        ['Ingress', 'Egress'],
        ['Ingress', 'Egress'],
      ],
    });
    // Billing and sso take calls from the platform only: a pod of another namespace is refused.
    const stranger: Pod = { namespace: 'default', namespaceLabels: { 'kubernetes.io/metadata.name': 'default' }, labels: { app: 'curl' } };
    expect({ billing: platformAdmits('billing', stranger), sso: platformAdmits('sso', stranger) }).toEqual({ billing: false, sso: false });
    expect(admits(find(docs, networkPolicySchema, 'NetworkPolicy', nameOf('sso')), platformPod('gateway'), 8080)).toBe(true);
  }, 30_000);

  it("runs the region's shared agent pool with an environment the worker accepts, every variable one it reads, under the agent name the gateway dispatches to", async () => {
    const docs = docsOf(await render(WITH_VOICE, { agent: { pool: { name: 'eu-pool' }, drainSeconds: 900 } }));
    const deployment = find(docs, deploymentSchema, 'Deployment', nameOf(POOL));
    const container = containerOf(deployment);
    expect({ image: container.image, args: container.args }).toEqual({ image: 'ghcr.io/mindbot/platform:0.1.0', args: ['agent'] });
    const names = container.env.map((e) => e.name);
    expect(names.filter((v, i) => names.indexOf(v) !== i)).toEqual([]);
    const config = loadAgentConfig(resolveEnv(container.env, SECRETS));
    expect(names.filter((v) => !(v in config))).toEqual([]);
    const gateway = loadGatewayConfig(resolveEnv(containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('gateway'))).env, SECRETS));
    // No AGENT_TENANT: the pool serves any shared-plan tenant, under the name the gateway dispatches their calls to.
    expect(config.AGENT_TENANT).toBeUndefined();
    expect({ pool: agentNameOf(config), gateway: gateway.AGENT_POOL_NAME }).toEqual({ pool: 'eu-pool', gateway: 'eu-pool' });
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      MINDBOT_REGION: 'eu-west',
      HOST: '0.0.0.0',
      BILLING_URL: gateway.BILLING_URL,
      LIVEKIT_URL: gateway.LIVEKIT_URL,
      LIVEKIT_API_KEY: gateway.LIVEKIT_API_KEY,
      AGENT_DRAIN_SECONDS: 900,
      AGENT_LLM: 'none',
      AGENT_STT: 'none',
      AGENT_TTS: 'none',
    });
    // Probed on its own endpoints where it listens; given its drain plus 30 s to end its calls.
    const http = container.ports.find((p) => p.name === 'http');
    expect({ PORT: config.PORT, containerPort: http?.containerPort }).toEqual({ PORT: 8081, containerPort: 8081 });
    expect({
      startup: container.startupProbe?.httpGet,
      liveness: container.livenessProbe?.httpGet,
      readiness: container.readinessProbe?.httpGet,
    }).toEqual({
      startup: { path: '/healthz', port: 'http' },
      liveness: { path: '/healthz', port: 'http' },
      readiness: { path: '/readyz', port: 'http' },
    });
    const grace = z.object({ spec: z.object({ template: z.object({ spec: z.object({ terminationGracePeriodSeconds: z.number() }) }) }) });
    const raw = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === nameOf(POOL))?.raw;
    expect(grace.parse(raw).spec.template.spec.terminationGracePeriodSeconds).toBe(930);
    // The operator gives the tenants' dedicated agents the same image, command and drain.
    const operator = loadOperatorConfig(
      resolveEnv(containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('operator'))).env, SECRETS),
    );
    const dedicated = containerOf(deploymentSchema.parse(desiredDeployment(tenantContext(operator))));
    expect({ image: dedicated.image, args: dedicated.args, drain: operator.AGENT_DRAIN_SECONDS }).toEqual({
      image: container.image,
      args: ['agent'],
      drain: 900,
    });
  }, 30_000);

  it('gives the pool and every dedicated agent the same providers from values, each key only by reference to the named Secret', async () => {
    const docs = docsOf(await render(WITH_VOICE, WITH_PROVIDERS));
    const container = containerOf(find(docs, deploymentSchema, 'Deployment', nameOf(POOL)));
    const pool = loadAgentConfig(resolveEnv(container.env, SECRETS));
    const providers = {
      AGENT_LLM: 'openai',
      AGENT_LLM_MODEL: 'gpt-4.1',
      AGENT_STT: 'deepgram',
      AGENT_TTS: 'elevenlabs',
      AGENT_VOICE_MAP: { aurora: 'voice-aurora', cedar: 'voice-cedar' },
    };
    expect(pool).toMatchObject({ ...providers, OPENAI_API_KEY: 'sk-proj-test', DEEPGRAM_API_KEY: 'dg-test', ELEVEN_API_KEY: 'el-test' });
    expect(container.env.find((e) => e.name === 'DEEPGRAM_API_KEY')).toEqual({
      name: 'DEEPGRAM_API_KEY',
      valueFrom: { secretKeyRef: { name: 'mindbot-providers', key: 'deepgram-key', optional: true } },
    });

    // The operator: the same settings, the Secret by name and where each key is in it.
    const operator = loadOperatorConfig(
      resolveEnv(containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('operator'))).env, SECRETS),
    );
    const workload = workloadConfigOf(operator);
    expect(workload.agentProviders).toMatchObject({
      secret: { namespace: NAMESPACE, name: 'mindbot-providers' },
      keys: { OPENAI_API_KEY: 'openai-key', DEEPGRAM_API_KEY: 'deepgram-key', ELEVEN_API_KEY: 'elevenlabs-key' },
    });
    // What a dedicated agent then runs with, its keys read from the tenant copy the operator makes of that Secret.
    const copy = Object.fromEntries(
      Object.entries(workload.agentProviders.keys).map(([variable, key]) => [variable, SECRETS['mindbot-providers']?.[key] ?? '']),
    );
    const dedicated = containerOf(deploymentSchema.parse(desiredDeployment(tenantContext(operator))));
    const livekit = SECRETS.livekit ?? {};
    const agent = loadAgentConfig(resolveEnv(dedicated.env, { 'agent-livekit': livekit, 'agent-providers': copy }));
    expect(agent).toMatchObject({
      ...providers,
      OPENAI_API_KEY: 'sk-proj-test',
      DEEPGRAM_API_KEY: 'dg-test',
      ELEVEN_API_KEY: 'el-test',
      AGENT_TENANT: 'acme',
    });
  }, 30_000);

  it('lets every agent report whether it can take calls to Redis when an agent Redis Secret is named, and only then has the gateway require a ready worker', async () => {
    const withReports = docsOf(
      await render(WITH_VOICE, { agent: { redis: { existingSecret: 'mindbot-agent-redis', cidr: '10.8.0.0/16', port: 6380 } } }),
    );
    const envOf = (docs: typeof withReports, name: string) =>
      resolveEnv(containerOf(find(docs, deploymentSchema, 'Deployment', nameOf(name))).env, SECRETS);
    const agentRedis = SECRETS['mindbot-agent-redis']?.REDIS_URL;
    expect(loadAgentConfig(envOf(withReports, POOL)).REDIS_URL).toBe(agentRedis);
    expect(loadGatewayConfig(envOf(withReports, 'gateway')).VOICE_REQUIRE_AGENT).toBe(true);
    // The dedicated agents get the same URL through the operator, from a copy in their namespace.
    const operator = loadOperatorConfig(envOf(withReports, 'operator'));
    expect(workloadConfigOf(operator).agentRedis).toEqual({
      secret: { namespace: NAMESPACE, name: 'mindbot-agent-redis' },
      key: 'REDIS_URL',
      cidr: '10.8.0.0/16',
    });
    const poolPolicy = find(withReports, networkPolicySchema, 'NetworkPolicy', nameOf(POOL));
    expect(poolPolicy.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.8.0.0/16' } }], ports: [{ protocol: 'TCP', port: 6380 }] });

    // Without one the agents report nothing, so the gateway does not wait for reports.
    const without = docsOf(await render(WITH_VOICE));
    expect(containerOf(find(without, deploymentSchema, 'Deployment', nameOf(POOL))).env.map((e) => e.name)).not.toContain('REDIS_URL');
    expect(loadGatewayConfig(envOf(without, 'gateway')).VOICE_REQUIRE_AGENT).toBe(false);
    expect(workloadConfigOf(loadOperatorConfig(envOf(without, 'operator'))).agentRedis).toBeUndefined();
  }, 30_000);

  it('scales the shared pool on CPU, removing workers slowly, and never lets an unready worker block a node drain', async () => {
    const docs = docsOf(
      await render(WITH_VOICE, {
        agent: { pool: { autoscaling: { minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 50 } } },
      }),
    );
    const hpa = z
      .object({
        spec: z.object({
          scaleTargetRef: z.object({ kind: z.string(), name: z.string() }),
          minReplicas: z.number(),
          maxReplicas: z.number(),
          metrics: z.array(
            z.object({
              type: z.string(),
              resource: z.object({ name: z.string(), target: z.object({ type: z.string(), averageUtilization: z.number() }) }),
            }),
          ),
          behavior: z.object({ scaleDown: z.object({ stabilizationWindowSeconds: z.number() }) }),
        }),
      })
      .parse(docs.find((d) => d.kind === 'HorizontalPodAutoscaler' && d.metadata.name === nameOf(POOL))?.raw);
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { kind: 'Deployment', name: nameOf(POOL) },
      minReplicas: 3,
      maxReplicas: 12,
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    });
    expect(hpa.spec.metrics).toEqual([
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
    ]);
    expect(find(docs, deploymentSchema, 'Deployment', nameOf(POOL)).spec.replicas).toBeUndefined();
    const pdb = docs.find((d) => d.kind === 'PodDisruptionBudget' && d.metadata.name === nameOf(POOL))?.raw;
    expect(pdb).toMatchObject({ spec: { minAvailable: 1, unhealthyPodEvictionPolicy: 'AlwaysAllow' } });
    const podLabels = find(docs, deploymentSchema, 'Deployment', nameOf(POOL)).spec.template.metadata.labels;
    expect(Object.entries(pdbSchema.parse(pdb).spec.selector.matchLabels).every(([k, v]) => podLabels[k] === v)).toBe(true);

    // Voice off (no LiveKit Secret) or the pool turned off: nothing of it is rendered, and the gateway still names it.
    for (const docsWithout of [docsOf(await render()), docsOf(await render(WITH_VOICE, { agent: { pool: { enabled: false } } }))]) {
      expect(docsWithout.filter((d) => d.metadata.name === nameOf(POOL))).toEqual([]);
      const gatewayEnv = containerOf(find(docsWithout, deploymentSchema, 'Deployment', nameOf('gateway'))).env;
      expect(gatewayEnv.find((e) => e.name === 'AGENT_POOL_NAME')).toEqual({ name: 'AGENT_POOL_NAME', value: 'mindbot-shared' });
    }
  }, 30_000);

  it('routes the base domain, its wildcard and the regional wildcard to the gateway when the Ingress is on, trusting one proxy hop', async () => {
    const docs = docsOf(
      await render({
        gateway: { ingress: { enabled: true, className: 'nginx', tlsSecret: 'mindbot-tls', extraHosts: ['voice.acme.example'] } },
      }),
    );
    const ingress = find(docs, ingressSchema, 'Ingress', nameOf('gateway'));
    const hosts = ['mindbot.example', '*.mindbot.example', '*.eu-west.mindbot.example', 'voice.acme.example'];
    expect(ingress.spec.rules.map((r) => r.host)).toEqual(hosts);
    expect(ingress.spec.tls).toEqual([{ secretName: 'mindbot-tls', hosts }]);
    for (const rule of ingress.spec.rules) {
      expect(rule.http.paths).toEqual([
        expect.objectContaining({ path: '/', backend: { service: { name: nameOf('gateway'), port: { name: 'http' } } } }),
      ]);
    }
    const trust = (d: typeof docs) =>
      containerOf(find(d, deploymentSchema, 'Deployment', nameOf('gateway'))).env.find((e) => e.name === 'TRUST_PROXY')?.value;
    expect(trust(docs)).toBe('1');
    const without = docsOf(await render());
    expect({ ingresses: without.filter((d) => d.kind === 'Ingress').length, trust: trust(without) }).toEqual({
      ingresses: 0,
      trust: 'false',
    });
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
      await renderChart({
        region: 'eu-west',
        database: { existingSecret: 'mindbot-db' },
        gateway: { enabled: false },
        billing: { enabled: false },
        sso: { enabled: false },
      }),
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
    [
      'two gateway replicas without Redis',
      { redis: { existingSecret: '' } },
      'redis.existingSecret is required when gateway runs more than one replica',
    ],
    [
      'a PDB no drain can satisfy',
      { gateway: { podDisruptionBudget: { minAvailable: 2 } } },
      'gateway.podDisruptionBudget.minAvailable must be less than gateway.replicas',
    ],
    [
      'autoscaling bounds crossed',
      { billing: { autoscaling: { enabled: true, minReplicas: 5, maxReplicas: 3 } } },
      'billing.autoscaling.minReplicas must not exceed billing.autoscaling.maxReplicas',
    ],
    ['a gateway without sso', { sso: { enabled: false } }, 'gateway.enabled requires billing.enabled and sso.enabled'],
    [
      'services outside platformNamespace',
      { platformNamespace: 'elsewhere' },
      'platformNamespace elsewhere must be the release namespace mindbot-system',
    ],
    [
      'a secret in extraEnv',
      { gateway: { extraEnv: { STRIPE_SECRET_KEY: 'sk_live_x' } } },
      'gateway.extraEnv.STRIPE_SECRET_KEY looks like a secret',
    ],
    [
      'a chart-managed variable in extraEnv',
      { billing: { extraEnv: { METERING_CHUNK_SECONDS: '30' } } },
      'billing.extraEnv.METERING_CHUNK_SECONDS is set by the chart',
    ],
    ['a rate-limit share above 1', { gateway: { rateLimit: { ipShare: 2 } } }, 'ipShare'],
    ['a region URL without {tenant}', { gateway: { regionUrls: { 'us-east': 'https://us.mindbot.example' } } }, 'regionUrls'],
    ['a secret value in values', { database: { url: 'postgres://u:p@h/db' } }, "additional properties 'url' not allowed"],
    [
      'a provider chosen without its key Secret',
      { agent: { providers: { stt: 'deepgram', tts: 'elevenlabs' } } },
      'agent.providers.existingSecret is required: the chosen providers (llm=none, stt=deepgram, tts=elevenlabs) need DEEPGRAM_API_KEY, ELEVEN_API_KEY',
    ],
    [
      'a model server without a model',
      { agent: { providers: { llmBaseUrl: 'http://vllm.models.svc:8000/v1' } } },
      'agent.providers.llmBaseUrl is set but agent.providers.llm is none',
    ],
    ['the development voice, which the image does not ship', { agent: { providers: { tts: 'espeak' } } }, '/agent/providers/tts'],
    [
      'a provider key in values',
      { agent: { providers: { openaiApiKey: 'sk-proj-x' } } },
      "additional properties 'openaiApiKey' not allowed",
    ],
    [
      'a voice the personas do not have',
      { agent: { providers: { voiceMap: { robot: 'x' } } } },
      "at '/agent/providers/voiceMap': additional properties 'robot' not allowed",
    ],
    [
      'the agent pool without billing',
      { ...WITH_VOICE, gateway: { enabled: false, livekit: { existingSecret: 'livekit' } }, billing: { enabled: false } },
      'agent.pool.enabled requires billing.enabled',
    ],
    [
      'an agent-pool PDB no drain can satisfy',
      { ...WITH_VOICE, agent: { pool: { podDisruptionBudget: { minAvailable: 2 } } } },
      'agent.pool.podDisruptionBudget.minAvailable must be less than agent.pool.autoscaling.minReplicas',
    ],
    [
      'agent reports to a Redis the gateway does not read',
      {
        redis: { existingSecret: '' },
        gateway: { replicas: 1, podDisruptionBudget: { minAvailable: 0 } },
        billing: { replicas: 1, podDisruptionBudget: { minAvailable: 0 } },
        sso: { replicas: 1, podDisruptionBudget: { minAvailable: 0 } },
        agent: { redis: { existingSecret: 'mindbot-agent-redis' } },
      },
      'agent.redis.existingSecret requires redis.existingSecret',
    ],
    [
      'the old LIVEKIT_AGENT_NAME value',
      { gateway: { livekit: { agentName: 'mindbot-agent' } } },
      "additional properties 'agentName' not allowed",
    ],
  ])(
    'refuses %s with a message naming the value',
    async (_case, overrides, message) => {
      const rendered = await render(overrides);
      expect(rendered).toMatchObject({ ok: false, error: expect.stringContaining(message) });
      if (!rendered.ok) expect(rendered.error).not.toContain('p@h');
    },
    30_000,
  );

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
      expect(await lint(merge(REQUIRED, { sso: { loginRate: { perIp: 0 } } }))).toEqual({
        code: 1,
        stdout: expect.stringContaining('/sso/loginRate/perIp'),
      });
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
    const docs = docsOf(await render(WITH_VOICE));
    const workloads = [...allOf(docs, deploymentSchema, 'Deployment'), ...allOf(docs, jobSchema, 'Job')];
    expect(workloads.map((w) => w.metadata.name)).toContain(nameOf(POOL));
    for (const w of workloads) {
      const args = w.spec.template.spec.containers[0]?.args ?? [];
      // A bad DATABASE_URL: each program must refuse it at start-up (exit 2), which proves the entry point ran it.
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(entrypoint, args, {
          // The Node these tests run on (the image's release) first, however jest was started.
          env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, DATABASE_URL: 'not-a-url' },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      // The agent reads no database: it refuses to start without its LiveKit server instead.
      const variable = args[0] === 'agent' ? 'LIVEKIT_URL' : 'DATABASE_URL';
      expect({ workload: w.metadata.name, code: result.code, namesVariable: result.stderr.includes(variable) }).toEqual({
        workload: w.metadata.name,
        code: 2,
        namesVariable: true,
      });
    }
  }, 120_000);
});

/** Where each rendered kind is created (namespaced unless noted). */
const COLLECTIONS: Record<string, { prefix: string; plural: string; cluster?: true }> = {
  Deployment: { prefix: '/apis/apps/v1', plural: 'deployments' },
  Service: { prefix: '/api/v1', plural: 'services' },
  ServiceAccount: { prefix: '/api/v1', plural: 'serviceaccounts' },
  Pod: { prefix: '/api/v1', plural: 'pods' },
  Secret: { prefix: '/api/v1', plural: 'secrets' },
  ConfigMap: { prefix: '/api/v1', plural: 'configmaps' },
  ResourceQuota: { prefix: '/api/v1', plural: 'resourcequotas' },
  LimitRange: { prefix: '/api/v1', plural: 'limitranges' },
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
      metadata: {
        name: restricted,
        labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' },
      },
    });
    expect(created.status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await api.stop();
  });

  const dryRunCreate = async (kind: string, object: unknown) => {
    const collection = COLLECTIONS[kind];
    if (!collection) throw new Error(`no collection known for ${kind}`);
    const path = collection.cluster
      ? `${collection.prefix}/${collection.plural}`
      : `${collection.prefix}/namespaces/${restricted}/${collection.plural}`;
    return api.request('POST', `${path}?dryRun=All&fieldValidation=Strict`, object);
  };

  it("accepts every object the chart renders, and a tenant's dedicated agent as the operator makes it, with strict field validation, and runs every pod under the restricted Pod Security profile", async () => {
    const docs = docsOf(
      await render(WITH_VOICE, WITH_PROVIDERS, {
        gateway: { ingress: { enabled: true, tlsSecret: 'mindbot-tls' }, autoscaling: { enabled: true } },
        operator: { billing: { existingSecret: 'mindbot-stripe' } },
        networkPolicy: {
          metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
        },
      }),
    );
    // The objects of a tenant's dedicated agent, from the operator configuration the chart gives, placed in the same restricted namespace.
    const operator = loadOperatorConfig(
      resolveEnv(containerOf(find(docs, deploymentSchema, 'Deployment', nameOf('operator'))).env, SECRETS),
    );
    const tenantObjects = desiredObjects(tenantContext(operator))
      .filter((o) => o.metadata.namespace !== undefined)
      .map((o) => ({
        kind: o.kind,
        metadata: { name: `tenant-${o.metadata.name}` },
        raw: { ...o, metadata: { ...o.metadata, name: `tenant-${o.metadata.name}`, namespace: restricted } },
      }));
    expect(tenantObjects.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'Secret']),
    );
    const refused: { object: string; status: number; body: unknown }[] = [];
    for (const doc of [...docs, ...tenantObjects]) {
      const result = await dryRunCreate(doc.kind, doc.raw);
      if (result.status !== 201) refused.push({ object: `${doc.kind}/${doc.metadata.name}`, status: result.status, body: result.body });
    }
    // Pod Security admission judges pods, not their controllers: create each pod template as a Pod.
    const withTemplate = z.object({
      metadata: z.object({ name: z.string() }),
      spec: z.object({ template: z.object({ metadata: z.record(z.string(), z.unknown()), spec: z.record(z.string(), z.unknown()) }) }),
    });
    for (const doc of [...docs, ...tenantObjects].filter((d) => d.kind === 'Deployment' || d.kind === 'Job')) {
      const workload = withTemplate.parse(doc.raw);
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...workload.spec.template.metadata, name: `${workload.metadata.name}-pod` },
        spec: workload.spec.template.spec,
      };
      const result = await dryRunCreate('Pod', pod);
      if (result.status !== 201)
        refused.push({ object: `Pod of ${doc.kind}/${workload.metadata.name}`, status: result.status, body: result.body });
    }
    expect(refused).toEqual([]);
    expect(docs.map((d) => d.kind)).toEqual(
      expect.arrayContaining(['Ingress', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'Job', 'PodDisruptionBudget']),
    );
    expect(
      docs
        .filter((d) => d.metadata.name === nameOf(POOL))
        .map((d) => d.kind)
        .sort(),
    ).toEqual(['Deployment', 'HorizontalPodAutoscaler', 'NetworkPolicy', 'PodDisruptionBudget']);
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
      const child = spawn(
        HELM,
        [...args, '--namespace', restricted, '--kubeconfig', await api.kubeConfigFile(), '--timeout', '90s', '-f', values],
        {
          env: { PATH: process.env.PATH ?? '', HOME: home, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const pending = z.object({ status: z.object({ conditions: z.array(z.unknown()).optional() }).optional() });
      for (let marked = false; !marked;) {
        const job = await api.request('GET', jobPath);
        if (job.status === 200 && !pending.parse(job.body).status?.conditions) {
          const now = new Date().toISOString();
          const condition = (type: string, reason: string) => ({
            type,
            status: 'True',
            reason,
            message: reason,
            lastProbeTime: now,
            lastTransitionTime: now,
          });
          const status =
            migration === 'succeeds'
              ? {
                  startTime: now,
                  completionTime: now,
                  succeeded: 1,
                  conditions: [condition('SuccessCriteriaMet', 'CompletionsReached'), condition('Complete', 'CompletionsReached')],
                }
              : {
                  startTime: now,
                  failed: 2,
                  conditions: [condition('FailureTarget', 'BackoffLimitExceeded'), condition('Failed', 'BackoffLimitExceeded')],
                };
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
    const list = z.object({
      items: z.array(
        z.object({
          metadata: z.object({ name: z.string() }),
          spec: z.object({ template: z.object({ spec: z.object({ containers: z.array(z.object({ image: z.string() })) }) }) }),
        }),
      ),
    });
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
    const lastJobDone = writes
      .map((e) => `${e.verb} ${e.objectRef?.resource ?? ''}/${e.objectRef?.subresource ?? ''}`)
      .lastIndexOf('patch jobs/status');
    const firstRollout = writes.findIndex((e) => e.verb === 'patch' && e.objectRef?.resource === 'deployments');
    expect(lastJobDone).toBeGreaterThan(-1);
    expect(firstRollout).toBeGreaterThan(lastJobDone);

    const tenant = await api.request('GET', `${TENANTS_PATH}/acme`);
    expect(tenant.status).toBe(200);
  }, 240_000);
});
