// What one write costs kube-apiserver and etcd, by kind of object and of request:
//   node_modules/.bin/node --import tsx bench/api-server-writes.ts      (BENCH_WRITES=400 per run, BENCH_ROUNDS=3, 8 in flight)
// Needs kube-apiserver and etcd on PATH (`npm run tools`). Sends the same ConfigMaps and Deployments
// (the size of a Tenant's branding ConfigMap and agent Deployment) as POSTs and as server-side
// applies, and server-side applies that change nothing, and prints the two processes' CPU per
// request from /proc. A Tenant costs the API server 16 writes (bench/operator-tenants.ts): this is
// what each of them can cost at least, so what fewer or cheaper writes would save.
import { startTestApiServer } from '../operator/src/testing/test-api-server.js';
import { procStat } from './proc.js';
import { median } from './stats.js';

const writes = Number(process.env.BENCH_WRITES ?? 400);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const inFlight = 8;
const labels = { 'app.kubernetes.io/managed-by': 'mindbot-operator', 'mindbot.io/tenant': 'bench' };
const applyQuery = '?fieldManager=bench&force=true';
const APPLY = 'application/apply-patch+yaml';

const configMap = (name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', labels },
  data: {
    'branding.json': JSON.stringify({
      displayName: 'Bench',
      primaryColor: '#112233',
      greeting: 'Hello there',
      logoUrl: 'https://x.example/logo.svg',
    }),
  },
});

const deployment = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default', labels },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { ...labels, app: name } },
      spec: {
        containers: [
          {
            name: 'agent',
            image: 'ghcr.io/mindbot/agent:1.0.0',
            env: Array.from({ length: 10 }, (_, i) => ({ name: `VAR_${i}`, value: `value-${i}` })),
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } },
            ports: [{ name: 'http', containerPort: 8081 }],
          },
        ],
      },
    },
  },
});

const api = await startTestApiServer();
try {
  const { apiServer, etcd } = api.processIds();
  const cpuTicks = () =>
    (apiServer === undefined ? 0 : (procStat(apiServer)?.cpuTicks ?? 0)) + (etcd === undefined ? 0 : (procStat(etcd)?.cpuTicks ?? 0));
  const perRequest = new Map<string, number[]>();
  const measure = async (label: string, send: (index: number) => Promise<{ status: number; body: unknown }>) => {
    const before = cpuTicks();
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        for (let index = next++; index < writes; index = next++) {
          const answer = await send(index);
          if (answer.status >= 300) throw new Error(`${label}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
        }
      }),
    );
    // Clock ticks are hundredths of a second.
    perRequest.set(label, [...(perRequest.get(label) ?? []), ((cpuTicks() - before) * 10) / writes]);
  };
  for (let round = 0; round < rounds; round++) {
    const configMaps = '/api/v1/namespaces/default/configmaps';
    const deployments = '/apis/apps/v1/namespaces/default/deployments';
    await measure('ConfigMap, POST', (i) => api.request('POST', configMaps, configMap(`post-${round}-${i}`)));
    await measure('ConfigMap, server-side apply', (i) =>
      api.request('PATCH', `${configMaps}/apply-${round}-${i}${applyQuery}`, configMap(`apply-${round}-${i}`), APPLY),
    );
    await measure('Deployment, POST', (i) => api.request('POST', deployments, deployment(`post-${round}-${i}`)));
    await measure('Deployment, server-side apply', (i) =>
      api.request('PATCH', `${deployments}/apply-${round}-${i}${applyQuery}`, deployment(`apply-${round}-${i}`), APPLY),
    );
    await measure('Deployment, server-side apply changing nothing', (i) =>
      api.request('PATCH', `${deployments}/apply-${round}-${i}${applyQuery}`, deployment(`apply-${round}-${i}`), APPLY),
    );
  }
  const baseline = median(perRequest.get('ConfigMap, POST') ?? []);
  console.log(`kube-apiserver + etcd CPU per request, ${writes} requests per run, ${inFlight} in flight, median of ${rounds} runs:`);
  for (const [label, samples] of perRequest) {
    const value = median(samples);
    console.log(
      `  ${label.padEnd(48)} ${value.toFixed(2)} ms  (${(value / baseline).toFixed(2)}× a ConfigMap POST; runs ${samples.map((s) => s.toFixed(2)).join(', ')})`,
    );
  }
} finally {
  await api.stop();
}
