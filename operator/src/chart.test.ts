import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { OWNED_KINDS } from './runtime/resources.js';
import { toolsBinDir } from './testing/test-api-server.js';

const run = promisify(execFile);
const chart = fileURLToPath(new URL('../../charts/mindbot', import.meta.url));
const helm = join(toolsBinDir(), 'helm');

// The operator alone: the services (and their required Secrets) are covered by test/chart-services.test.ts.
const OPERATOR_ONLY = ['gateway.enabled=false', 'billing.enabled=false', 'sso.enabled=false'];

async function template(
  ...sets: string[]
): Promise<{ ok: true; docs: { kind: string; rules?: { apiGroups: string[]; resources: string[] }[] }[] } | { ok: false; error: string }> {
  try {
    const { stdout } = await run(helm, ['template', 'mb', chart, ...[...OPERATOR_ONLY, ...sets].flatMap((s) => ['--set', s])]);
    return { ok: true, docs: parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string }) };
  } catch (error) {
    return { ok: false, error: (error as { stderr?: string }).stderr ?? String(error) };
  }
}

describe('the mindbot Helm chart', () => {
  beforeAll(() => {
    if (!existsSync(helm)) throw new Error(`helm not found at ${helm}: run \`npm run tools\``);
  });

  it('renders the operator with RBAC for every kind a Tenant owns, its NetworkPolicy and the migration hook', async () => {
    const rendered = await template('region=eu-west', 'database.existingSecret=db');
    if (!rendered.ok) throw new Error(rendered.error);
    expect(rendered.docs.map((d) => d.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'Job',
      'NetworkPolicy',
      'Role',
      'RoleBinding',
      'ServiceAccount',
    ]);
    const rules = rendered.docs.find((d) => d.kind === 'ClusterRole')?.rules ?? [];
    for (const kind of OWNED_KINDS) {
      const group = kind.apiVersion.includes('/') ? kind.apiVersion.split('/')[0] : '';
      expect({
        kind: kind.kind,
        granted: rules.some((r) => r.apiGroups.includes(group ?? '') && r.resources.includes(kind.plural)),
      }).toEqual({ kind: kind.kind, granted: true });
    }
  }, 30_000);

  it('gives the operator the Stripe key only from a referenced Secret, and no billing env when none is named', async () => {
    type Env = { name: string; value?: string; valueFrom?: unknown };
    const envOf = (rendered: Awaited<ReturnType<typeof template>>): Env[] => {
      if (!rendered.ok) throw new Error(rendered.error);
      const deployment = rendered.docs.find((d) => d.kind === 'Deployment') as
        { spec?: { template: { spec: { containers: { env: Env[] }[] } } } } | undefined;
      return deployment?.spec?.template.spec.containers[0]?.env ?? [];
    };
    const without = envOf(await template('region=eu-west', 'database.existingSecret=db'));
    expect(without.filter((e) => e.name.startsWith('STRIPE_') || e.name === 'BILLING_RECHECK_MS')).toEqual([]);
    const withBilling = envOf(
      await template(
        'region=eu-west',
        'database.existingSecret=db',
        'operator.billing.existingSecret=stripe',
        'operator.billing.recheckSeconds=30',
      ),
    );
    expect(withBilling).toEqual(
      expect.arrayContaining([
        { name: 'STRIPE_SECRET_KEY', valueFrom: { secretKeyRef: { name: 'stripe', key: 'STRIPE_SECRET_KEY' } } },
        { name: 'STRIPE_LIVEMODE', value: 'false' },
        { name: 'BILLING_RECHECK_MS', value: '30000' },
      ]),
    );
  }, 30_000);

  it('refuses impossible values with a message naming them', async () => {
    expect(await template('database.existingSecret=db')).toMatchObject({ ok: false, error: expect.stringContaining('region is required') });
    expect(await template('region=eu-west')).toMatchObject({
      ok: false,
      error: expect.stringContaining('database.existingSecret is required'),
    });
    expect(await template('region=eu-west', 'database.existingSecret=db', 'operator.leaderElection.enabled=false')).toMatchObject({
      ok: false,
      error: expect.stringContaining('operator.replicas > 1 requires operator.leaderElection.enabled'),
    });
    expect(await template('region=eu-west', 'database.existingSecret=db', 'operator.workers=0')).toMatchObject({
      ok: false,
      error: expect.stringContaining('workers'),
    });
  }, 30_000);
});
