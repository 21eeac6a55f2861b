import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { z } from 'zod';
import { toolsBinDir } from '../../operator/src/testing/test-api-server.js';

const run = promisify(execFile);

export const CHART_DIR = fileURLToPath(new URL('../../charts/mindbot', import.meta.url));
export const HELM = join(toolsBinDir(), 'helm');
export const RELEASE = 'mb';
export const NAMESPACE = 'mindbot-system';

export function requireHelm(): void {
  if (!existsSync(HELM)) throw new Error(`helm not found at ${HELM}: run \`npm run tools\``);
}

// The parts of rendered objects the tests read, parsed rather than cast.
const labels = z.record(z.string(), z.string());
const envVar = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .object({ secretKeyRef: z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() }).strict() })
    .strict()
    .optional(),
});
export type EnvVar = z.output<typeof envVar>;
const probe = z.object({ httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }) });
const container = z.object({
  name: z.string(),
  image: z.string(),
  args: z.array(z.string()).optional(),
  env: z.array(envVar).default([]),
  ports: z.array(z.object({ name: z.string().optional(), containerPort: z.number() })).default([]),
  livenessProbe: probe.optional(),
  readinessProbe: probe.optional(),
  startupProbe: probe.optional(),
  resources: z
    .object({ requests: z.record(z.string(), z.string()).optional(), limits: z.record(z.string(), z.string()).optional() })
    .optional(),
  securityContext: z
    .object({
      allowPrivilegeEscalation: z.boolean().optional(),
      readOnlyRootFilesystem: z.boolean().optional(),
      capabilities: z.object({ drop: z.array(z.string()) }).optional(),
    })
    .optional(),
});
export type Container = z.output<typeof container>;
const podTemplate = z.object({
  metadata: z.object({ labels: labels.default({}) }),
  spec: z.object({
    serviceAccountName: z.string().optional(),
    automountServiceAccountToken: z.boolean().optional(),
    securityContext: z
      .object({
        runAsNonRoot: z.boolean().optional(),
        runAsUser: z.number().optional(),
        runAsGroup: z.number().optional(),
        seccompProfile: z.object({ type: z.string() }).optional(),
      })
      .optional(),
    containers: z.array(container).min(1),
  }),
});
export type PodTemplate = z.output<typeof podTemplate>;
const meta = z.object({ name: z.string(), namespace: z.string().optional(), labels: labels.optional(), annotations: labels.optional() });

export const deploymentSchema = z.object({
  kind: z.literal('Deployment'),
  metadata: meta,
  spec: z.object({ replicas: z.number().optional(), selector: z.object({ matchLabels: labels }), template: podTemplate }),
});
export type Deployment = z.output<typeof deploymentSchema>;
export const jobSchema = z.object({ kind: z.literal('Job'), metadata: meta, spec: z.object({ template: podTemplate }) });
export const serviceSchema = z.object({
  kind: z.literal('Service'),
  metadata: meta,
  spec: z.object({
    type: z.string(),
    selector: labels,
    ports: z.array(z.object({ port: z.number(), targetPort: z.union([z.string(), z.number()]) })),
  }),
});
export const pdbSchema = z.object({
  kind: z.literal('PodDisruptionBudget'),
  metadata: meta,
  spec: z.object({ minAvailable: z.number(), selector: z.object({ matchLabels: labels }) }),
});
export const hpaSchema = z.object({
  kind: z.literal('HorizontalPodAutoscaler'),
  metadata: meta,
  spec: z.object({ scaleTargetRef: z.object({ kind: z.string(), name: z.string() }), minReplicas: z.number(), maxReplicas: z.number() }),
});
export const ingressSchema = z.object({
  kind: z.literal('Ingress'),
  metadata: meta,
  spec: z.object({
    tls: z.array(z.object({ secretName: z.string(), hosts: z.array(z.string()) })).optional(),
    rules: z.array(
      z.object({
        host: z.string(),
        http: z.object({
          paths: z.array(
            z.object({
              path: z.string(),
              backend: z.object({ service: z.object({ name: z.string(), port: z.object({ name: z.string() }) }) }),
            }),
          ),
        }),
      }),
    ),
  }),
});
const labelSelector = z.object({
  matchLabels: labels.optional(),
  matchExpressions: z
    .array(
      z.object({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() }),
    )
    .optional(),
});
export type LabelSelector = z.output<typeof labelSelector>;
const peer = z.object({
  namespaceSelector: labelSelector.optional(),
  podSelector: labelSelector.optional(),
  ipBlock: z.object({ cidr: z.string() }).optional(),
});
export type Peer = z.output<typeof peer>;
const policyPort = z.object({
  protocol: z.string().optional(),
  port: z.union([z.number(), z.string()]).optional(),
  endPort: z.number().optional(),
});
export const networkPolicySchema = z.object({
  kind: z.literal('NetworkPolicy'),
  metadata: meta,
  spec: z.object({
    podSelector: labelSelector,
    policyTypes: z.array(z.enum(['Ingress', 'Egress'])),
    ingress: z.array(z.object({ from: z.array(peer).optional(), ports: z.array(policyPort).optional() })).optional(),
    egress: z.array(z.object({ to: z.array(peer).optional(), ports: z.array(policyPort).optional() })).optional(),
  }),
});
export type NetworkPolicy = z.output<typeof networkPolicySchema>;

export interface RenderedDoc {
  kind: string;
  metadata: { name: string };
  raw: unknown;
}

export type Rendered = { ok: true; docs: RenderedDoc[] } | { ok: false; error: string };

const docHead = z.object({ kind: z.string(), metadata: z.object({ name: z.string() }) });

/** `helm template` of the chart with the given values (a values file, as a platform engineer writes one). */
export async function renderChart(values: Record<string, unknown>, namespace = NAMESPACE): Promise<Rendered> {
  const dir = await mkdtemp(join(tmpdir(), 'mindbot-chart-'));
  try {
    const file = join(dir, 'values.yaml');
    await writeFile(file, stringify(values));
    const { stdout } = await run(HELM, ['template', RELEASE, CHART_DIR, '--namespace', namespace, '-f', file]);
    const docs = parseAllDocuments(stdout)
      .map((d) => {
        const raw: unknown = d.toJS();
        return raw;
      })
      .filter((raw) => raw !== null)
      .map((raw) => ({ ...docHead.parse(raw), raw }));
    return { ok: true, docs };
  } catch (error) {
    return { ok: false, error: (error as { stderr?: string }).stderr ?? String(error) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function docsOf(rendered: Rendered): RenderedDoc[] {
  if (!rendered.ok) throw new Error(rendered.error);
  return rendered.docs;
}

/** The one object of a kind and name, parsed with its schema. */
export function find<S extends z.ZodType>(docs: RenderedDoc[], schema: S, kind: string, name: string): z.output<S> {
  const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!doc) throw new Error(`no ${kind} ${name} among ${docs.map((d) => `${d.kind}/${d.metadata.name}`).join(', ')}`);
  return schema.parse(doc.raw);
}

export function allOf<S extends z.ZodType>(docs: RenderedDoc[], schema: S, kind: string): z.output<S>[] {
  return docs.filter((d) => d.kind === kind).map((d) => schema.parse(d.raw));
}

/** Whether a label selector selects an object with these labels. */
export function selects(selector: LabelSelector, objectLabels: Record<string, string>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => objectLabels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = objectLabels[e.key];
    switch (e.operator) {
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      case 'In':
        return value !== undefined && (e.values ?? []).includes(value);
      case 'NotIn':
        return value === undefined || !(e.values ?? []).includes(value);
    }
  });
  return byLabels && byExpressions;
}

export interface Pod {
  namespace: string;
  namespaceLabels: Record<string, string>;
  labels: Record<string, string>;
}

/** Whether a NetworkPolicy peer (in a policy of `policyNamespace`) matches a pod. */
export function peerMatches(p: Peer, policyNamespace: string, pod: Pod): boolean {
  if (p.ipBlock) return false;
  const namespaceOk = p.namespaceSelector ? selects(p.namespaceSelector, pod.namespaceLabels) : pod.namespace === policyNamespace;
  const podOk = p.podSelector ? selects(p.podSelector, pod.labels) : true;
  return namespaceOk && podOk;
}

/** Whether `policy` lets `source` open TCP `port` to the pods it selects (ingress side). */
export function admits(policy: NetworkPolicy, source: Pod, port: number): boolean {
  const namespace = policy.metadata.namespace ?? NAMESPACE;
  return (policy.spec.ingress ?? []).some((rule) => {
    const fromOk = rule.from === undefined || rule.from.some((p) => peerMatches(p, namespace, source));
    const portOk = rule.ports === undefined || rule.ports.some((p) => p.port === undefined || p.port === port);
    return fromOk && portOk;
  });
}

/** The environment a container would see, with each secretKeyRef resolved from `secrets` (an optional one the Secret lacks stays unset). */
export function resolveEnv(env: EnvVar[], secrets: Record<string, Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const variable of env) {
    if (variable.valueFrom) {
      const { name, key, optional } = variable.valueFrom.secretKeyRef;
      const value = secrets[name]?.[key];
      if (value === undefined && optional === true) continue;
      if (value === undefined)
        throw new Error(`${variable.name} refers to Secret ${name} key ${key}, which the test's Secrets do not hold`);
      out[variable.name] = value;
    } else {
      out[variable.name] = variable.value ?? '';
    }
  }
  return out;
}
