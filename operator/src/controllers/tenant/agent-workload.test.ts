import { randomBytes } from 'node:crypto';
import { ConfigError } from '@mindbot/config';
import { parseTenantManifest } from '@mindbot/tenancy';
import { agentNameOf, loadAgentConfig } from '../../../../services/agent/src/config.js';
import { API_VERSION, KIND, type Tenant } from '../../api/v1alpha1/tenant-types.js';
import { loadOperatorConfig, workloadConfigOf } from '../../config.js';
import { tenantManifest } from '../../testing/operator-harness.js';
import { PROVIDER_KEYS, PROVIDER_SECRET, providerPorts, requiredProviderKeys } from './agent-providers.js';
import { REDIS_SECRET } from './agent-redis.js';
import { AGENT_PORT, namespaceOf, type TenantContext } from './context.js';
import { desiredDeployment } from './deployment.js';
import { desiredObjects } from './desired-objects.js';
import { LIVEKIT_SECRET } from './livekit-secret.js';
import { desiredAgentPolicy } from './network-policy.js';

// The dedicated agent as the operator computes it, checked against what the worker itself reads
// (services/agent/src/config.ts). The same objects reach a real API server in tenant-controller.test.ts.

const b64 = (s: string) => Buffer.from(s).toString('base64');
const LIVEKIT = {
  LIVEKIT_URL: 'wss://livekit.eu-west.example',
  LIVEKIT_API_KEY: 'APIabc',
  LIVEKIT_API_SECRET: randomBytes(24).toString('base64url'),
};
const KEYS = { OPENAI_API_KEY: 'sk-proj-test-openai', DEEPGRAM_API_KEY: 'dg-test-key', ELEVEN_API_KEY: 'el-test-key' };

const OPERATOR_ENV = { DATABASE_URL: 'postgres://operator@pg.internal:5432/mindbot', MINDBOT_REGION: 'eu-west' };

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } };
}
interface Container {
  args: string[];
  env: EnvVar[];
  ports: { name: string; containerPort: number }[];
  startupProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  livenessProbe: { httpGet: { path: string; port: string } };
}
interface PodSpec {
  terminationGracePeriodSeconds: number;
  containers: Container[];
}

function contextOf(
  slug: string,
  operatorEnv: NodeJS.ProcessEnv,
  spec: Parameters<typeof tenantManifest>[1] = {},
  providerKeys: Record<string, string> = {},
  redis: Record<string, string> = {},
): TenantContext {
  const manifest = parseTenantManifest(tenantManifest(slug, spec));
  const tenant: Tenant = { apiVersion: API_VERSION, kind: KIND, metadata: { name: slug, uid: `uid-${slug}` }, spec: manifest.spec };
  const livekit = Object.fromEntries(Object.entries(LIVEKIT).map(([k, v]) => [k, b64(v)]));
  return {
    tenant,
    slug,
    namespace: namespaceOf(slug),
    config: workloadConfigOf(loadOperatorConfig({ ...OPERATOR_ENV, ...operatorEnv })),
    livekit,
    providerKeys,
    redis,
  };
}

const podOf = (ctx: TenantContext): PodSpec => (desiredDeployment(ctx).spec as { template: { spec: PodSpec } }).template.spec;
const containerOf = (ctx: TenantContext): Container => {
  const [container] = podOf(ctx).containers;
  if (!container) throw new Error('the agent Deployment has no container');
  return container;
};

/** The environment the container sees: each secretKeyRef resolved from the tenant's Secrets (a missing optional key stays unset). */
function resolve(ctx: TenantContext, env: EnvVar[]): Record<string, string> {
  const secrets: Record<string, Record<string, string>> = {
    [LIVEKIT_SECRET]: ctx.livekit,
    [PROVIDER_SECRET]: ctx.providerKeys,
    [REDIS_SECRET]: ctx.redis,
  };
  const out: Record<string, string> = {};
  for (const variable of env) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref === undefined) {
      out[variable.name] = variable.value ?? '';
      continue;
    }
    const data = secrets[ref.name]?.[ref.key];
    if (data === undefined) {
      if (ref.optional === true) continue;
      throw new Error(`${variable.name} refers to Secret ${ref.name} key ${ref.key}, which the tenant copy does not hold`);
    }
    out[variable.name] = Buffer.from(data, 'base64').toString();
  }
  return out;
}

describe("a tenant's dedicated agent", () => {
  it('runs the platform image with the agent command and an environment the worker accepts, every variable one it reads', () => {
    const ctx = contextOf('acme', {});
    const container = containerOf(ctx);
    expect(ctx.config.agentImage).toBe('ghcr.io/mindbot/platform:0.1.0');
    expect(container.args).toEqual(['agent']);

    const names = container.env.map((e) => e.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    const config = loadAgentConfig(resolve(ctx, container.env));
    // zod keeps only the keys a schema declares: a variable the worker does not read is missing here.
    expect(names.filter((n) => !(n in config))).toEqual([]);
    expect(config).toMatchObject({
      NODE_ENV: 'production',
      MINDBOT_REGION: 'eu-west',
      AGENT_TENANT: 'acme',
      BILLING_URL: 'http://mindbot-billing.mindbot-system.svc:8080',
      LIVEKIT_URL: LIVEKIT.LIVEKIT_URL,
      LIVEKIT_API_SECRET: LIVEKIT.LIVEKIT_API_SECRET,
      HOST: '0.0.0.0',
      AGENT_LLM: 'none',
      AGENT_STT: 'none',
      AGENT_TTS: 'none',
    });
    // It registers under this tenant's name only, so it never receives another tenant's call.
    expect(agentNameOf(config)).toBe('tenant-acme');
    // LiveKit credentials only ever by reference to the tenant copy.
    expect(
      container.env
        .filter((e) => e.name.startsWith('LIVEKIT_'))
        .every((e) => e.value === undefined && e.valueFrom?.secretKeyRef.name === LIVEKIT_SECRET),
    ).toBe(true);
  });

  it("is probed on the worker's own /healthz and /readyz where it listens, and given its drain plus 30 s to end its calls", () => {
    for (const drain of [undefined, '1200']) {
      const ctx = contextOf('acme', drain === undefined ? {} : { AGENT_DRAIN_SECONDS: drain });
      const container = containerOf(ctx);
      const config = loadAgentConfig(resolve(ctx, container.env));
      const http = container.ports.find((p) => p.name === 'http');
      expect({ port: config.PORT, containerPort: http?.containerPort }).toEqual({ port: AGENT_PORT, containerPort: AGENT_PORT });
      expect({
        startup: container.startupProbe.httpGet,
        readiness: container.readinessProbe.httpGet,
        liveness: container.livenessProbe.httpGet,
      }).toEqual({
        startup: expect.objectContaining({ path: '/healthz', port: 'http' }),
        readiness: expect.objectContaining({ path: '/readyz', port: 'http' }),
        liveness: expect.objectContaining({ path: '/healthz', port: 'http' }),
      });
      expect(podOf(ctx).terminationGracePeriodSeconds).toBe(config.AGENT_DRAIN_SECONDS + 30);
      expect(config.AGENT_DRAIN_SECONDS).toBe(drain === undefined ? 600 : 1200);
    }
  });

  it("takes the operator's provider choice as plain settings and each key by optional reference to the tenant copy, never a key in the pod", () => {
    const providers = {
      AGENT_LLM: 'openai',
      AGENT_LLM_MODEL: 'gpt-4.1',
      AGENT_STT: 'deepgram',
      AGENT_TTS: 'elevenlabs',
      AGENT_VOICE_MAP: '{"aurora":"voice-1"}',
      AGENT_PROVIDER_SECRET: 'mindbot-system/providers',
    };
    const copy = Object.fromEntries(Object.entries(KEYS).map(([k, v]) => [k, b64(v)]));
    const ctx = contextOf('acme', providers, {}, copy);
    const container = containerOf(ctx);
    const config = loadAgentConfig(resolve(ctx, container.env));
    expect(config).toMatchObject({
      AGENT_LLM: 'openai',
      AGENT_LLM_MODEL: 'gpt-4.1',
      AGENT_STT: 'deepgram',
      AGENT_TTS: 'elevenlabs',
      AGENT_VOICE_MAP: { aurora: 'voice-1' },
      ...KEYS,
    });
    for (const key of Object.keys(KEYS)) {
      expect(container.env.find((e) => e.name === key)).toEqual({
        name: key,
        valueFrom: { secretKeyRef: { name: PROVIDER_SECRET, key, optional: true } },
      });
    }
    const deployment = JSON.stringify(desiredDeployment(ctx));
    for (const secret of [...Object.values(KEYS), LIVEKIT.LIVEKIT_API_SECRET]) expect(deployment).not.toContain(secret);
    // A key the Secret does not hold is left unset, not a pod that cannot start.
    const partial = contextOf('acme', providers, {}, { DEEPGRAM_API_KEY: b64(KEYS.DEEPGRAM_API_KEY) });
    expect(Object.keys(resolve(partial, containerOf(partial).env))).not.toContain('OPENAI_API_KEY');
  });

  it('hands out no key at all when the operator names no provider Secret', () => {
    const ctx = contextOf('acme', { AGENT_LLM: 'openai', AGENT_LLM_BASE_URL: 'http://vllm.models.svc:8000/v1' });
    expect(containerOf(ctx).env.filter((e) => PROVIDER_KEYS.some((key) => key === e.name))).toEqual([]);
    expect(desiredObjects(ctx).filter((o) => o.metadata.name === PROVIDER_SECRET)).toEqual([]);
    expect(loadAgentConfig(resolve(ctx, containerOf(ctx).env))).toMatchObject({
      AGENT_LLM: 'openai',
      AGENT_LLM_BASE_URL: 'http://vllm.models.svc:8000/v1',
    });
  });

  it('may reach the providers over HTTPS and a self-hosted model on its own port, besides billing, LiveKit and DNS, and nothing calls it', () => {
    const policy = (env: NodeJS.ProcessEnv) =>
      desiredAgentPolicy(contextOf('acme', env)).spec as {
        policyTypes: string[];
        ingress?: unknown[];
        egress: { to: { ipBlock?: { cidr: string } }[]; ports: { port: number }[] }[];
      };
    const selfHosted = policy({
      AGENT_LLM: 'openai',
      AGENT_LLM_BASE_URL: 'http://vllm.models.example:8000/v1',
      AGENT_PROVIDER_CIDR: '203.0.113.0/24',
    });
    expect({ types: selfHosted.policyTypes, ingressRules: selfHosted.ingress ?? [] }).toEqual({
      types: ['Ingress', 'Egress'],
      ingressRules: [],
    });
    const providerRule = selfHosted.egress.find((r) => r.to.some((p) => p.ipBlock?.cidr === '203.0.113.0/24'));
    expect(providerRule?.ports.map((p) => p.port)).toEqual([443, 8000]);
    expect(providerPorts({ llmBaseUrl: undefined })).toEqual([443]);
    expect(providerPorts({ llmBaseUrl: 'http://ollama.internal/v1' })).toEqual([80, 443]);
  });

  it('reports whether it can take calls to the Redis the operator names (a copied Secret), and may reach it on its port', () => {
    const url = 'rediss://mindbot-agent:pw@redis.eu-west.internal:6380';
    const ctx = contextOf(
      'acme',
      { AGENT_REDIS_SECRET: 'mindbot-system/agent-redis', AGENT_REDIS_CIDR: '10.8.0.0/16' },
      {},
      {},
      { REDIS_URL: b64(url) },
    );
    const container = containerOf(ctx);
    expect(container.env.find((e) => e.name === 'REDIS_URL')).toEqual({
      name: 'REDIS_URL',
      valueFrom: { secretKeyRef: { name: REDIS_SECRET, key: 'REDIS_URL' } },
    });
    expect(loadAgentConfig(resolve(ctx, container.env)).REDIS_URL).toBe(url);
    const egress = (desiredAgentPolicy(ctx).spec as { egress: { to: { ipBlock?: { cidr: string } }[]; ports: { port: number }[] }[] })
      .egress;
    expect(egress.find((r) => r.to.some((p) => p.ipBlock?.cidr === '10.8.0.0/16'))?.ports.map((p) => p.port)).toEqual([6380]);
    expect(desiredObjects(ctx).find((o) => o.metadata.name === REDIS_SECRET)).toMatchObject({
      kind: 'Secret',
      data: { REDIS_URL: b64(url) },
    });
    // Without one, no Redis at all: the agent reports nothing (and the gateway must not wait for reports).
    const without = contextOf('acme', {});
    expect(containerOf(without).env.map((e) => e.name)).not.toContain('REDIS_URL');
    expect(desiredObjects(without).map((o) => o.metadata.name)).not.toContain(REDIS_SECRET);
  });
});

describe("a tenant of the region's shared agent pool", () => {
  it('owns no agent of its own: no Deployment, Service, HPA, PDB, nor the credentials one would need', () => {
    const shared = contextOf(
      'small',
      { AGENT_PROVIDER_SECRET: 'mindbot-system/providers' },
      { plan: { name: 'starter', requestsPerMinute: 600, concurrentSessions: 10, maxAgentReplicas: 5, agentPool: 'shared' } },
    );
    const dedicated = contextOf('large', { AGENT_PROVIDER_SECRET: 'mindbot-system/providers' });
    const kinds = (ctx: TenantContext) => desiredObjects(ctx).map((o) => `${o.kind}/${o.metadata.name}`);
    const agentObjects = [
      'Deployment/agent',
      'Service/agent',
      'HorizontalPodAutoscaler/agent',
      'PodDisruptionBudget/agent',
      `Secret/${LIVEKIT_SECRET}`,
      `Secret/${PROVIDER_SECRET}`,
    ];
    expect(kinds(dedicated)).toEqual(expect.arrayContaining(agentObjects));
    expect(kinds(shared).filter((k) => agentObjects.includes(k))).toEqual([]);
    expect(kinds(shared)).toEqual(
      expect.arrayContaining([`Namespace/${namespaceOf('small')}`, 'ResourceQuota/tenant-quota', 'NetworkPolicy/default-deny']),
    );
  });
});

describe("the operator's provider settings", () => {
  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      loadOperatorConfig({ ...OPERATOR_ENV, ...env });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable}: ${p.message}`);
      throw error;
    }
  };

  it('refuses a provider that needs a key when no provider Secret is named, and one the image does not ship', () => {
    expect(problemsOf({ AGENT_STT: 'deepgram', AGENT_TTS: 'openai' })).toEqual([
      'AGENT_PROVIDER_SECRET: is required: the chosen providers need OPENAI_API_KEY, DEEPGRAM_API_KEY',
    ]);
    expect(problemsOf({ AGENT_TTS: 'espeak' })).toEqual([expect.stringMatching(/^AGENT_TTS: /)]);
    expect(problemsOf({ AGENT_LLM: 'openai', AGENT_LLM_BASE_URL: 'http://vllm.models.svc:8000/v1' })).toEqual([]);
    expect(problemsOf({ AGENT_VOICE_MAP: '{"robot":"x"}' })).toEqual([
      expect.stringMatching(/^AGENT_VOICE_MAP: must be a JSON object from persona voices/),
    ]);
    expect(problemsOf({ AGENT_PROVIDER_KEYS: 'STRIPE_SECRET_KEY=x' })).toEqual([expect.stringMatching(/^AGENT_PROVIDER_KEYS: /)]);
  });

  it('reads each key under the name the Secret gives it', () => {
    const config = workloadConfigOf(
      loadOperatorConfig({
        ...OPERATOR_ENV,
        AGENT_PROVIDER_SECRET: 'mindbot-system/speech',
        AGENT_PROVIDER_KEYS: 'DEEPGRAM_API_KEY=deepgram, ELEVEN_API_KEY=eleven',
      }),
    );
    expect(config.agentProviders).toMatchObject({
      secret: { namespace: 'mindbot-system', name: 'speech' },
      keys: { OPENAI_API_KEY: 'OPENAI_API_KEY', DEEPGRAM_API_KEY: 'deepgram', ELEVEN_API_KEY: 'eleven' },
    });
    expect(requiredProviderKeys({ llm: 'openai', llmBaseUrl: undefined, stt: 'none', tts: 'elevenlabs' })).toEqual([
      'OPENAI_API_KEY',
      'ELEVEN_API_KEY',
    ]);
  });
});
