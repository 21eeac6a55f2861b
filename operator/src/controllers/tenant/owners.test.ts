import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SsoServiceClient } from '@mindbot/sso-client';
import { captureLogger, uniqueSlug } from '@mindbot/testing';
import { TENANTS_PATH } from '../../api/v1alpha1/tenant-types.js';
import type { TestApiServer } from '../../testing/test-api-server.js';
import {
  conditionOf,
  metricValue,
  operatorWrites,
  startOperatorEnvironment,
  tenantManifest,
  tenantsOf,
  waitUntil,
  type OperatorEnvironment,
} from '../../testing/operator-harness.js';

const SLOW = 60_000;
const SERVICE_TOKEN = 'a-service-token-sso-accepts-0123456789';

/** SSO's owners-invite route as a double: records each call, answers as SSO does, or fails while `down`. */
interface SsoDouble {
  url: string;
  calls: { path: string; auth: string | undefined; emails: string[] }[];
  down: boolean;
  server: Server;
}

async function startSsoDouble(): Promise<SsoDouble> {
  const invitedBefore = new Set<string>();
  const double: SsoDouble = { url: '', calls: [], down: false, server: createServer() };
  double.server.on('request', (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { emails } = JSON.parse(body || '{}') as { emails: string[] };
      double.calls.push({ path: req.url ?? '', auth: req.headers.authorization, emails });
      if (double.down) {
        res
          .writeHead(503, { 'content-type': 'application/problem+json' })
          .end(JSON.stringify({ detail: 'An invitation mail could not be sent' }));
        return;
      }
      const invited = emails.filter((e) => !invitedBefore.has(e));
      for (const e of emails) invitedBefore.add(e);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ invited, skipped: emails.filter((e) => !invited.includes(e)) }));
    });
  });
  await new Promise<void>((resolve) => double.server.listen(0, '127.0.0.1', resolve));
  double.url = `http://127.0.0.1:${(double.server.address() as AddressInfo).port}`;
  return double;
}

let env: OperatorEnvironment;
let api: TestApiServer;
let sso: SsoDouble;
const log = captureLogger('operator');

beforeAll(async () => {
  sso = await startSsoDouble();
  env = await startOperatorEnvironment(log.logger);
  ({ api } = env);
}, 90_000);

afterEach(async () => {
  await env.stopOperators();
});

afterAll(async () => {
  await env.close();
  await new Promise<void>((resolve) => {
    sso.server.close(() => resolve());
    sso.server.closeAllConnections();
  });
}, 60_000);

const start = () => env.startOperator({ owners: { sso: new SsoServiceClient(new URL(sso.url), SERVICE_TOKEN), retryMs: 300 } });
const callsFor = (slug: string) => sso.calls.filter((c) => c.path === `/internal/v1/tenants/${slug}/owners/invite`);

describe('the owners step of the Tenant operator (spec.owners invited through SSO)', () => {
  it(
    'invites the owners once per change of the Tenant: a resync calls nothing and writes nothing; a new owner is invited',
    async () => {
      const { operator, registry } = await start();
      const slug = uniqueSlug('owned');
      await tenantsOf(api).create(tenantManifest(slug, { owners: ['olga@owner.test'] }));
      const invited = await tenantsOf(api).waitForCondition(slug, 'OwnersInvited', 'True', 'Invited', 30_000);
      expect(conditionOf(invited, 'OwnersInvited')?.message).toBe('invited now: olga@owner.test');
      expect(callsFor(slug)).toEqual([
        { path: `/internal/v1/tenants/${slug}/owners/invite`, auth: `Bearer ${SERVICE_TOKEN}`, emails: ['olga@owner.test'] },
      ]);
      await waitUntil(`${slug} Ready`, async () =>
        conditionOf(await tenantsOf(api).get(slug), 'Ready')?.status === 'True' ? true : undefined,
      );

      // A resync of the unchanged Tenant: no call to SSO, no write to the API server.
      await new Promise((r) => setTimeout(r, 1_000));
      const writesBefore = (await operatorWrites(api)).length;
      const reconciles = await metricValue(registry, 'controller_runtime_reconcile_total', { result: 'success' });
      operator.controller.resyncAll();
      await waitUntil(
        'the Tenant reconciled again',
        async () => (await metricValue(registry, 'controller_runtime_reconcile_total', { result: 'success' })) > reconciles,
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(callsFor(slug)).toHaveLength(1);
      expect((await operatorWrites(api)).slice(writesBefore).map((e) => `${e.verb} ${e.requestURI}`)).toEqual([]);

      // A second owner added to the manifest: the next generation invites; the first is skipped by SSO.
      const patched = await api.request(
        'PATCH',
        `${TENANTS_PATH}/${slug}`,
        { spec: { owners: ['olga@owner.test', 'oscar@owner.test'] } },
        'application/merge-patch+json',
      );
      expect(patched.status).toBe(200);
      const again = await waitUntil('the new owner invited', async () => {
        const tenant = await tenantsOf(api).get(slug);
        const condition = conditionOf(tenant, 'OwnersInvited');
        return condition?.observedGeneration === tenant?.metadata.generation && condition?.message.includes('oscar')
          ? condition
          : undefined;
      });
      expect(again.message).toBe('invited now: oscar@owner.test; already owners or invited: olga@owner.test');
      expect(callsFor(slug)).toHaveLength(2);
    },
    SLOW,
  );

  it(
    'says SSO could not invite yet without holding Ready, and invites once SSO answers',
    async () => {
      sso.down = true;
      await start();
      const slug = uniqueSlug('unsent');
      await tenantsOf(api).create(tenantManifest(slug, { owners: ['late@owner.test'] }));
      const failing = await tenantsOf(api).waitForCondition(slug, 'OwnersInvited', 'False', 'SsoUnavailable', 30_000);
      expect(conditionOf(failing, 'OwnersInvited')?.message).toContain('SSO answered 503: An invitation mail could not be sent');
      await waitUntil(`${slug} Ready`, async () =>
        conditionOf(await tenantsOf(api).get(slug), 'Ready')?.status === 'True' ? true : undefined,
      );

      sso.down = false;
      await tenantsOf(api).waitForCondition(slug, 'OwnersInvited', 'True', 'Invited', 30_000);
      expect(callsFor(slug).length).toBeGreaterThanOrEqual(2);
      expect(callsFor(slug).at(-1)?.emails).toEqual(['late@owner.test']);
    },
    SLOW,
  );

  it(
    'calls SSO for nobody when the Tenant names no owners',
    async () => {
      await start();
      const slug = uniqueSlug('ownerless');
      await tenantsOf(api).create(tenantManifest(slug));
      const tenant = await tenantsOf(api).waitForCondition(slug, 'OwnersInvited', 'True', 'NoOwners', 30_000);
      expect(conditionOf(tenant, 'OwnersInvited')?.message).toBe('spec.owners is empty');
      expect(callsFor(slug)).toEqual([]);
    },
    SLOW,
  );
});
