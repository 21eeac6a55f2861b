// Seeds tenants and users for the k6 scenarios in load-tests/ and writes load-tests/seed.json.
//
//   DATABASE_URL=postgres://…  MINDBOT_BASE_URL=http://127.0.0.1:8080  npm run load:seed
//
// Provisions LOAD_TENANTS tenants (`lt-<n>`, a generous plan so the platform, not the plan, is
// measured) in this region's database, registers LOAD_USERS users in each through the gateway
// (password registration in SSO, so the tokens are real platform tokens), and gives each user
// talk time in billing's ledger as an activated time card would.
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createPlatformClient, createPool, MigrationRunner, TenantClients } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { parseTenantManifest, type Region } from '@mindbot/tenancy';
import { grantSeconds } from '../services/gateway/src/testing/grant-seconds.js';

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mindbot';
const baseUrl = new URL(process.env.MINDBOT_BASE_URL ?? 'http://127.0.0.1:8080');
const baseDomain = process.env.MINDBOT_BASE_DOMAIN ?? 'localhost';
const region = (process.env.MINDBOT_REGION ?? 'eu-west') as Region;
const tenantCount = Number(process.env.LOAD_TENANTS ?? 10);
const userCount = Number(process.env.LOAD_USERS ?? 5);
const output = process.env.MINDBOT_SEED ?? fileURLToPath(new URL('../load-tests/seed.json', import.meta.url));

function postJson(host: string, path: string, body: object): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: baseUrl.hostname, port: baseUrl.port, path, method: 'POST', headers: { host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined }));
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

const pool = createPool(databaseUrl, { max: 4, applicationName: 'mindbot-load-seed' });
const platform = createPlatformClient(pool);
const tenants = new TenantClients(pool);
try {
  const migrations = await MigrationRunner.load(pool);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  const provisioner = new TenantProvisioner({ pool, platform, migrations, region, actor: 'load-seed' });
  const seed: { tenants: { slug: string; users: { userId: string; token: string }[] }[] } = { tenants: [] };
  for (let t = 0; t < tenantCount; t++) {
    const slug = `lt-${t}`;
    const host = `${slug}.${baseDomain}`;
    await provisioner.provision(
      parseTenantManifest({
        apiVersion: 'platform.mindbot.ai/v1alpha1',
        kind: 'Tenant',
        metadata: { name: slug },
        spec: {
          displayName: `Load test ${t}`,
          region,
          branding: { logoUrl: `https://${slug}.example/logo.svg`, primaryColor: '#224466', accentColor: '#88aacc', agentName: 'Lana', greeting: 'Hello from the load test.' },
          agent: { persona: 'A load-test agent.', voice: 'aurora' },
          // SSO resolves tenants by their domains: the tenant's platform host is one of them.
          domains: [host],
          plan: { name: 'enterprise', requestsPerMinute: 1_000_000 },
          billing: { currency: 'usd', platformFeePercent: 10 },
        },
      }),
    );
    const users: { userId: string; token: string }[] = [];
    for (let u = 0; u < userCount; u++) {
      const email = `load-${u}@${slug}.example`;
      const password = `Load-${randomBytes(12).toString('base64url')}-9a`;
      const res = await postJson(host, '/v1/auth/password/register', { email, password });
      if (res.status !== 201) throw new Error(`registering ${email} answered ${res.status}: ${JSON.stringify(res.body)}`);
      const token = (res.body as { access_token: string }).access_token;
      const userId = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;
      await grantSeconds(tenants, slug, userId, 1_000_000);
      users.push({ userId, token });
    }
    seed.tenants.push({ slug, users });
    process.stdout.write(`seeded ${slug} (${users.length} users)\n`);
  }
  await writeFile(output, JSON.stringify(seed, null, 2));
  process.stdout.write(`wrote ${output}\n`);
} finally {
  await tenants.close();
  await platform.$disconnect();
  await pool.end();
}
