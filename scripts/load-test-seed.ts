// Seeds tenants and users for the k6 scenarios in load-tests/ and writes load-tests/seed.json.
//
//   npm run load:seed                    against `npm start` on this machine
//   DATABASE_URL=postgres://…  MINDBOT_BASE_URL=http://127.0.0.1:8080  npm run load:seed
//
// Without DATABASE_URL it uses the database of the platform `npm start` runs on its embedded
// PostgreSQL (found under .data/ as npm start finds it); with `npm start` on a configured server,
// pass that server's DATABASE_URL.
//
// Provisions LOAD_TENANTS tenants (`lt-<n>`, a generous plan so the platform, not the plan, is
// measured) in this region's database, registers LOAD_USERS users in each through the gateway
// (password registration in SSO, so the tokens are real platform tokens), and gives each user
// talk time in billing's ledger as an activated time card would. Run again, it signs the same users
// in afresh (their refresh tokens and passwords are in the seed file, readable by its owner only),
// so a new seed is a matter of seconds before each session.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createPlatformClient, createPool, MigrationRunner, TenantClients } from '@mindbot/db';
import { TenantProvisioner } from '@mindbot/provisioning';
import { tokenResponseSchema } from '@mindbot/sdk/schemas';
import { parseTenantManifest, type Region } from '@mindbot/tenancy';
import { grantSeconds } from '../services/gateway/src/testing/grant-seconds.js';
import { runningLocalDatabaseUrl } from './local-database.js';

const databaseUrl = process.env.DATABASE_URL ?? (await runningLocalDatabaseUrl(fileURLToPath(new URL('..', import.meta.url))));
if (!databaseUrl) {
  process.stderr.write(
    'No DATABASE_URL, and no platform of `npm start` running on its embedded PostgreSQL (.data/postgres): start it, or set DATABASE_URL to the database npm start printed.\n',
  );
  process.exit(2);
}
const baseUrl = new URL(process.env.MINDBOT_BASE_URL ?? 'http://127.0.0.1:8080');
const baseDomain = process.env.MINDBOT_BASE_DOMAIN ?? 'localhost';
const region = (process.env.MINDBOT_REGION ?? 'eu-west') as Region;
const tenantCount = Number(process.env.LOAD_TENANTS ?? 10);
const userCount = Number(process.env.LOAD_USERS ?? 5);
const output = process.env.MINDBOT_SEED ?? fileURLToPath(new URL('../load-tests/seed.json', import.meta.url));

function postJson(host: string, path: string, body: object): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    // To the gateway's address, with the tenant's host (and, over TLS, the tenant's name for SNI).
    const send = baseUrl.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      {
        hostname: baseUrl.hostname,
        port: baseUrl.port,
        path,
        method: 'POST',
        servername: host,
        headers: { host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
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

interface SeededUser {
  userId: string;
  /** The access token the k6 scenarios send. */
  token: string;
  email: string;
  password: string;
  refreshToken: string;
}
interface Seed {
  tenants: { slug: string; users: SeededUser[] }[];
}

/** The users of an earlier seed, by email, to sign in again rather than register twice. */
async function earlierUsers(): Promise<Map<string, SeededUser>> {
  try {
    const seed = JSON.parse(await readFile(output, 'utf8')) as Partial<Seed>;
    return new Map(
      (seed.tenants ?? [])
        .flatMap((t) => t.users)
        .filter((u) => typeof u.password === 'string')
        .map((u) => [u.email, u]),
    );
  } catch {
    return new Map();
  }
}

function seeded(email: string, password: string, answer: unknown): SeededUser {
  const tokens = tokenResponseSchema.parse(answer);
  const userId = (JSON.parse(Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string }).sub;
  return { userId, token: tokens.access_token, email, password, refreshToken: tokens.refresh_token };
}

/** A signed-in load user: the earlier seed's refreshed (or signed in with its password), else newly registered. */
async function signIn(host: string, email: string, earlier: SeededUser | undefined): Promise<SeededUser> {
  if (earlier) {
    const refreshed = await postJson(host, '/v1/auth/token', { grant_type: 'refresh_token', refresh_token: earlier.refreshToken });
    if (refreshed.status === 200) return seeded(email, earlier.password, refreshed.body);
    const login = await postJson(host, '/v1/auth/password/login', { email, password: earlier.password });
    if (login.status === 200) return seeded(email, earlier.password, login.body);
  }
  // Not `Load-…`: a random part starting with a digit made it contain the email (load-1@…), which the password policy refuses.
  const password = `Seeded-${randomBytes(12).toString('base64url')}-9a`;
  const res = await postJson(host, '/v1/auth/password/register', { email, password });
  if (res.status === 201) return seeded(email, password, res.body);
  if (res.status === 409)
    throw new Error(
      `${email} exists, but ${output} does not hold a way to sign it in (deprovision the lt-* tenants with --drop-data, or point MINDBOT_SEED at the seed that made it)`,
    );
  throw new Error(`registering ${email} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

const pool = createPool(databaseUrl, { max: 4, applicationName: 'mindbot-load-seed' });
const platform = createPlatformClient(pool);
const tenants = new TenantClients(pool);
try {
  const migrations = await MigrationRunner.load(pool);
  await migrations.migrate({ kind: 'platform', schema: 'platform' });
  const provisioner = new TenantProvisioner({ pool, platform, migrations, region, actor: 'load-seed' });
  const earlier = await earlierUsers();
  const seed: Seed = { tenants: [] };
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
          branding: {
            logoUrl: `https://${slug}.example/logo.svg`,
            primaryColor: '#224466',
            accentColor: '#88aacc',
            agentName: 'Lana',
            greeting: 'Hello from the load test.',
          },
          agent: { persona: 'A load-test agent.', voice: 'aurora' },
          plan: { name: 'enterprise', requestsPerMinute: 1_000_000, concurrentSessions: 100_000 },
          billing: { currency: 'usd', platformFeePercent: 10 },
        },
      }),
    );
    const users: SeededUser[] = [];
    for (let u = 0; u < userCount; u++) {
      const email = `load-${u}@${slug}.example`;
      const user = await signIn(host, email, earlier.get(email));
      // A top-up on every run, so long runs never meet an empty balance.
      await grantSeconds(tenants, slug, user.userId, 1_000_000);
      users.push(user);
    }
    seed.tenants.push({ slug, users });
    process.stdout.write(`seeded ${slug} (${users.length} users)\n`);
  }
  await writeFile(output, JSON.stringify(seed, null, 2), { mode: 0o600 });
  // The mode above applies to a new file only; an earlier seed's file may be more open.
  await chmod(output, 0o600);
  process.stdout.write(`wrote ${output}\n`);
} finally {
  await tenants.close();
  await platform.$disconnect();
  await pool.end();
}
