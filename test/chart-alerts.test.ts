import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Histogram, Summary } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { createPlatformClient, createPool } from '@mindbot/db';
import { registerJobMetrics } from '@mindbot/jobs';
import { createMetrics } from '@mindbot/metrics';
import { captureLogger } from '@mindbot/testing';
import { createControllerMetrics } from '../operator/src/runtime/metrics.js';
import { tenantLabels } from '../operator/src/controllers/tenant/context.js';
import { toolsBinDir } from '../operator/src/testing/test-api-server.js';
import { createAgentMetrics } from '../services/agent/src/agent-metrics.js';
import { registerBillingMetrics } from '../services/billing/src/http/billing-metrics.js';
import { registerParkedEventMetrics } from '../services/billing/src/http/parked-event-metrics.js';
import {
  CHART_DIR,
  NAMESPACE,
  allOf,
  deploymentSchema,
  docsOf,
  renderChart,
  requireHelm,
  selects,
  type RenderedDoc,
} from './support/helm-chart.js';

// The chart's alerts and dashboards (charts/mindbot/files): the rules are unit-tested by promtool on
// synthetic series, every query names only series the platform registers, every alert has its
// runbook section, and the chart renders them only when asked.

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const FILES = join(CHART_DIR, 'files');
const RULES_FILE = join(FILES, 'prometheus-rules.yaml');
const RULES_TESTS_FILE = join(FILES, 'prometheus-rules.test.yaml');
const DASHBOARDS_DIR = join(FILES, 'dashboards');
const PROMTOOL = join(toolsBinDir(), 'promtool');

const ruleSchema = z.strictObject({
  alert: z.string().regex(/^Mindbot[A-Za-z0-9]+$/),
  expr: z.string().min(1),
  for: z.string().optional(),
  labels: z.strictObject({ severity: z.enum(['critical', 'warning']) }),
  annotations: z.strictObject({ summary: z.string().min(1), description: z.string().min(1), runbook_url: z.string() }),
});
const rulesSchema = z.strictObject({ groups: z.array(z.strictObject({ name: z.string(), rules: z.array(ruleSchema).min(1) })).min(1) });
const rulesTestsSchema = z.object({
  tests: z.array(
    z.object({ alert_rule_test: z.array(z.object({ alertname: z.string(), exp_alerts: z.array(z.unknown()).default([]) })).default([]) }),
  ),
});
const dashboardSchema = z.object({
  uid: z.string().min(1),
  title: z.string().min(1),
  panels: z.array(
    z.object({
      type: z.string(),
      title: z.string().min(1),
      targets: z.array(z.object({ expr: z.string().min(1), refId: z.string() })).optional(),
    }),
  ),
});

const rulesText = readFileSync(RULES_FILE, 'utf8');
const rules = rulesSchema.parse(parseYaml(rulesText)).groups.flatMap((g) => g.rules);
const dashboardFiles = readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json'));
const dashboards = dashboardFiles.map((file) => ({
  file,
  ...dashboardSchema.parse(JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8'))),
}));

/** Every series name the platform's processes expose, read from the modules that register them. */
async function registeredSeriesNames(): Promise<Set<string>> {
  const metrics = createMetrics('test');
  createControllerMetrics(metrics.registry);
  createAgentMetrics(metrics, () => 0);
  registerBillingMetrics(metrics.registry);
  registerJobMetrics(metrics.registry, () => Promise.resolve([]));
  // Never scraped here, so the database behind it is never asked.
  const pool = createPool('postgres://127.0.0.1:1/never-connected', { max: 1, applicationName: 'chart-alerts-test' });
  registerParkedEventMetrics(metrics.registry, createPlatformClient(pool), captureLogger('chart-alerts').logger);
  await pool.end();
  const names = new Set<string>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name } = metric as unknown as { name: string };
    names.add(name);
    if (metric instanceof Histogram) for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (metric instanceof Summary) for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression selects: what is left once strings, matchers, ranges, label lists and calls are taken out. */
function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.$])[A-Za-z_:][\w:]*/g)) {
    const after = bare.slice(match.index + match[0].length).trimStart();
    if (after.startsWith('(') || PROMQL_KEYWORDS.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names];
}

/** The anchor GitHub gives a Markdown heading. */
const anchorOf = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');

describe('the alert rules and dashboards name only series the platform registers', () => {
  let registered: Set<string>;
  beforeAll(async () => {
    registered = await registeredSeriesNames();
  });

  it('reads a metric name out of PromQL, and not the functions, labels, ranges or keywords around it', () => {
    expect(
      metricNamesOf(
        'sum by (namespace, le) (rate(http_request_duration_seconds_bucket{route!~"/(a|b)"}[$__rate_interval])) > 1 and on (namespace) time() - max(billing_sweeper_last_pass_timestamp_seconds) unless absent(up)',
      ),
    ).toEqual(['http_request_duration_seconds_bucket', 'billing_sweeper_last_pass_timestamp_seconds', 'up']);
  });

  it('knows the series of every service module (HTTP, dependencies, operator, agent, billing)', () => {
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'mindbot_dependency_up',
      'workqueue_depth',
      'agent_active_jobs',
      'billing_stripe_webhook_events_total',
      'billing_webhook_events_parked_unapplied',
      'process_cpu_seconds_total',
    ])
      expect(registered).toContain(name);
    expect(registered).not.toContain('http_requests_totl');
  });

  it('every alert expression', () => {
    const unknown = rules
      .flatMap((rule) => metricNamesOf(rule.expr).map((name) => `${rule.alert}: ${name}`))
      .filter((entry) => {
        const name = entry.split(': ')[1] ?? '';
        return !registered.has(name);
      });
    expect(unknown).toEqual([]);
  });

  it('every dashboard panel query, in every dashboard', () => {
    expect(dashboardFiles.sort()).toEqual(['billing.json', 'operator.json', 'platform-overview.json']);
    const unknown: string[] = [];
    let queries = 0;
    for (const dashboard of dashboards) {
      for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
        expect(panel.targets?.length ?? 0).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) {
          queries++;
          for (const name of metricNamesOf(target.expr))
            if (!registered.has(name)) unknown.push(`${dashboard.file} "${panel.title}": ${name}`);
        }
      }
    }
    expect(queries).toBeGreaterThan(30);
    expect(unknown).toEqual([]);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(dashboards.length);
  });
});

describe('each alert', () => {
  const runbooks = readFileSync(join(repoRoot, 'docs/runbooks.md'), 'utf8');
  const anchors = new Set([...runbooks.matchAll(/^#{2,3} (.+)$/gm)].map((m) => anchorOf(m[1] ?? '')));

  it('links its own section of docs/runbooks.md, which explains it', () => {
    const missing = rules.filter((rule) => rule.annotations.runbook_url !== `docs/runbooks.md#${rule.alert.toLowerCase()}`);
    expect(missing.map((r) => r.alert)).toEqual([]);
    expect(rules.filter((rule) => !anchors.has(rule.alert.toLowerCase())).map((r) => r.alert)).toEqual([]);
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it('has a promtool case where it fires and one where it must not', () => {
    const cases = rulesTestsSchema.parse(parseYaml(readFileSync(RULES_TESTS_FILE, 'utf8'))).tests.flatMap((t) => t.alert_rule_test);
    const untested = rules
      .map((r) => r.alert)
      .filter((alert) => {
        const mine = cases.filter((c) => c.alertname === alert);
        return !mine.some((c) => c.exp_alerts.length > 0) || !mine.some((c) => c.exp_alerts.length === 0);
      });
    expect(untested).toEqual([]);
  });
});

const execFailure = z.object({ code: z.number(), stdout: z.string(), stderr: z.string() });

/** promtool's exit code and output, whether it succeeded or not. */
function promtool(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(PROMTOOL, args, { cwd }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: unknown) => execFailure.parse(error),
  );
}

describe('promtool', () => {
  beforeAll(() => {
    if (!existsSync(PROMTOOL)) throw new Error(`promtool not found at ${PROMTOOL}: run \`npm run tools\` (scripts/tools.sh)`);
  });

  it('accepts the rule file', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', RULES_FILE]);
    expect(stdout).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('passes every unit test of the rules on synthetic series', async () => {
    // On failure promtool names each case whose alerts differ; the output is the useful message.
    const result = await promtool(['test', 'rules', 'prometheus-rules.test.yaml'], FILES);
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('fails those tests when an expression is wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mindbot-rules-'));
    try {
      await cp(FILES, dir, { recursive: true });
      // A threshold ten times too high: the error-rate alert would never page anyone.
      const wrong = rulesText.replace(') > 0.05', ') > 0.5');
      expect(wrong).not.toBe(rulesText);
      await writeFile(join(dir, 'prometheus-rules.yaml'), wrong);
      const failure = await promtool(['test', 'rules', 'prometheus-rules.test.yaml'], dir);
      expect(failure.code).toBe(1);
      expect(`${failure.stdout}${failure.stderr}`).toContain('alertname: MindbotHighErrorRate');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const REQUIRED = {
  region: 'eu-west',
  baseDomain: 'mindbot.example',
  database: { existingSecret: 'mindbot-db' },
  redis: { existingSecret: 'mindbot-redis' },
  internalAuth: { existingSecret: 'mindbot-internal' },
  billing: { stripe: { existingSecret: 'mindbot-stripe' } },
  sso: { existingSecret: 'mindbot-sso' },
  gateway: { livekit: { existingSecret: 'livekit' } },
};
const MONITORING_KINDS = ['PrometheusRule', 'PodMonitor'];
const objectMeta = z.object({ name: z.string(), namespace: z.string(), labels: z.record(z.string(), z.string()) });
const prometheusRuleSchema = z.object({ apiVersion: z.literal('monitoring.coreos.com/v1'), metadata: objectMeta, spec: z.unknown() });
const configMapSchema = z.object({
  metadata: objectMeta.extend({ annotations: z.record(z.string(), z.string()).optional() }),
  data: z.record(z.string(), z.string()),
});
const podMonitorSchema = z.object({
  apiVersion: z.literal('monitoring.coreos.com/v1'),
  metadata: objectMeta,
  spec: z.object({
    namespaceSelector: z.object({ any: z.boolean() }),
    selector: z.object({
      matchExpressions: z.array(
        z.object({ key: z.string(), operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()) }),
      ),
    }),
    podMetricsEndpoints: z.array(z.object({ port: z.string(), path: z.string(), interval: z.string() })),
  }),
});
const dashboardConfigMaps = (docs: RenderedDoc[]) =>
  allOf(docs, configMapSchema, 'ConfigMap').filter((c) => c.metadata.labels.grafana_dashboard !== undefined);

describe('the chart renders the alerts, dashboards and scraping only when asked', () => {
  beforeAll(requireHelm);

  it('renders none of them by default', async () => {
    const docs = docsOf(await renderChart(REQUIRED));
    expect(docs.filter((d) => MONITORING_KINDS.includes(d.kind)).map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([]);
    expect(dashboardConfigMaps(docs)).toEqual([]);
  });

  it('renders the rule file as written into a PrometheusRule, with its namespace, labels and runbook links', async () => {
    const docs = docsOf(
      await renderChart({
        ...REQUIRED,
        monitoring: {
          prometheusRules: {
            enabled: true,
            namespace: 'monitoring',
            labels: { release: 'kube-prometheus-stack' },
            runbookBaseUrl: 'https://git.example.com/mindbot/platform/blob/main/docs/runbooks.md',
          },
        },
      }),
    );
    const [rule, ...others] = allOf(docs, prometheusRuleSchema, 'PrometheusRule');
    expect(others).toEqual([]);
    expect(rule?.metadata).toMatchObject({ name: 'mb-mindbot', namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } });
    const expected = rulesSchema.parse(
      parseYaml(
        rulesText.replaceAll(
          'runbook_url: docs/runbooks.md#',
          'runbook_url: https://git.example.com/mindbot/platform/blob/main/docs/runbooks.md#',
        ),
      ),
    );
    expect(rulesSchema.parse(rule?.spec)).toEqual(expected);
    expect(rulesSchema.parse(rule?.spec).groups[0]?.rules[0]?.annotations.runbook_url).toBe(
      'https://git.example.com/mindbot/platform/blob/main/docs/runbooks.md#mindbothigherrorrate',
    );
    expect(dashboardConfigMaps(docs)).toEqual([]);
  });

  it('keeps the repository path as the runbook link when no base URL is given', async () => {
    const docs = docsOf(await renderChart({ ...REQUIRED, monitoring: { prometheusRules: { enabled: true } } }));
    const [rule] = allOf(docs, prometheusRuleSchema, 'PrometheusRule');
    expect(rule?.metadata.namespace).toBe(NAMESPACE);
    expect(rulesSchema.parse(rule?.spec)).toEqual(rulesSchema.parse(parseYaml(rulesText)));
  });

  it('ships every dashboard unchanged in one ConfigMap that Grafana’s sidecar picks up', async () => {
    const docs = docsOf(
      await renderChart({ ...REQUIRED, monitoring: { dashboards: { enabled: true, annotations: { grafana_folder: 'MindBot' } } } }),
    );
    const [configMap, ...others] = dashboardConfigMaps(docs);
    expect(others).toEqual([]);
    expect(configMap?.metadata).toMatchObject({
      name: 'mb-mindbot-dashboards',
      labels: { grafana_dashboard: '1' },
      annotations: { grafana_folder: 'MindBot' },
    });
    const data = configMap?.data ?? {};
    expect(Object.keys(data).sort()).toEqual(dashboardFiles.sort());
    for (const file of dashboardFiles)
      expect(JSON.parse(data[file] ?? '')).toEqual(JSON.parse(await readFile(join(DASHBOARDS_DIR, file), 'utf8')));
    expect(docs.filter((d) => MONITORING_KINDS.includes(d.kind))).toEqual([]);
  });

  it('scrapes every platform pod with its PodMonitor: operator, services, the agent pool and tenants’ agents', async () => {
    const docs = docsOf(await renderChart({ ...REQUIRED, monitoring: { podMonitor: { enabled: true, interval: '15s' } } }));
    const [monitor, ...others] = allOf(docs, podMonitorSchema, 'PodMonitor');
    expect(others).toEqual([]);
    expect(monitor?.spec.podMetricsEndpoints).toEqual([{ port: 'http', path: '/metrics', interval: '15s' }]);
    expect(monitor?.spec.namespaceSelector).toEqual({ any: true });
    const deployments = allOf(docs, deploymentSchema, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(
      ['mb-mindbot-agent-pool', 'mb-mindbot-billing', 'mb-mindbot-gateway', 'mb-mindbot-operator', 'mb-mindbot-sso'].sort(),
    );
    const selector = monitor?.spec.selector ?? { matchExpressions: [] };
    for (const deployment of deployments) {
      expect([deployment.metadata.name, selects(selector, deployment.spec.template.metadata.labels)]).toEqual([
        deployment.metadata.name,
        true,
      ]);
      expect(deployment.spec.template.spec.containers[0]?.ports.map((p) => p.name)).toContain('http');
    }
    expect(selects(selector, tenantLabels('acme'))).toBe(true);
    expect(selects(selector, { 'app.kubernetes.io/name': 'postgresql' })).toBe(false);
  });

  it('refuses monitoring values that are not what they should be, naming them', async () => {
    const badUrl = await renderChart({
      ...REQUIRED,
      monitoring: { prometheusRules: { enabled: true, runbookBaseUrl: 'docs.example.com' } },
    });
    expect(badUrl.ok).toBe(false);
    expect(badUrl.ok ? '' : badUrl.error).toContain('runbookBaseUrl');
    const typo = await renderChart({ ...REQUIRED, monitoring: { prometheusRule: { enabled: true } } });
    expect(typo.ok).toBe(false);
    expect(typo.ok ? '' : typo.error).toContain('prometheusRule');
  });
});
