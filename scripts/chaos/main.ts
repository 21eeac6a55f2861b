// `npm run chaos`: starts a platform of its own (PostgreSQL, Redis, livekit-server and stripe-mock
// when built, gateway, billing, SSO, the agent worker), then, under load, restarts PostgreSQL,
// restarts Redis, kills billing, kills livekit-server and kills the agent worker, one after the
// other, and prints per fault the requests that failed outside the outage, the ones refused during
// it, the time to heal, and the ledger check. Exits 1 when the platform did not survive a fault.
//   CHAOS_FAULTS=postgres-restart,billing-kill   only these (default: all, after a baseline run)
//   CHAOS_DOWN_MS (5000) CHAOS_BEFORE_MS (10000) CHAOS_AFTER_MS (20000)
//   CHAOS_WIDGETS (8) CHAOS_USERS (6) CHAOS_TALKERS (6) CHAOS_BUYERS (2, with stripe-mock) CHAOS_TENANTS (4) CHAOS_USERS_PER_TENANT (3)
//   CHAOS_K6=0          without k6 (default: load-tests/chaos.js runs beside the Node load when k6 is built)
//   CHAOS_REPORT=<file>   also writes the markdown table there
import { writeFileSync } from 'node:fs';
import { formatResults, runFault, type ChaosSettings, type FaultResult } from './chaos-run.js';
import { FAULTS, type FaultName } from './faults.js';
import { k6Binary } from './k6-load.js';
import { startChaosPlatform } from './platform.js';

const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const say = (line: string) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const chosen = process.env.CHAOS_FAULTS?.split(',').map((f) => f.trim()) ?? ['none', ...FAULTS.map((f) => f.name)];
const unknown = chosen.filter((f) => f !== 'none' && !FAULTS.some((fault) => fault.name === f));
if (unknown.length > 0) {
  process.stderr.write(`Unknown fault(s): ${unknown.join(', ')}. Known: none, ${FAULTS.map((f) => f.name).join(', ')}\n`);
  process.exit(2);
}
const settings: ChaosSettings = {
  load: {
    widgets: number('CHAOS_WIDGETS', 8),
    users: number('CHAOS_USERS', 6),
    talkers: number('CHAOS_TALKERS', 6),
    buyers: number('CHAOS_BUYERS', 2),
    sessionSeconds: [3, 8],
  },
  beforeMs: number('CHAOS_BEFORE_MS', 10_000),
  downMs: number('CHAOS_DOWN_MS', 5_000),
  afterMs: number('CHAOS_AFTER_MS', 20_000),
};

const k6 = process.env.CHAOS_K6 === '0' ? undefined : k6Binary();
say(k6 ? `k6: ${k6} runs load-tests/chaos.js beside the Node load` : 'k6: not built or CHAOS_K6=0, Node load only');
const platform = await startChaosPlatform({
  tenants: number('CHAOS_TENANTS', 4),
  usersPerTenant: number('CHAOS_USERS_PER_TENANT', 3),
  say,
});
if (k6) settings.k6 = { binary: k6, dir: platform.dir };
const results: FaultResult[] = [];
try {
  for (const name of chosen) results.push(await runFault(platform, name as FaultName | 'none', settings, say));
} finally {
  await platform.stop();
}
const table = formatResults(results);
process.stdout.write(`\n${table}\n`);
if (process.env.CHAOS_REPORT) writeFileSync(process.env.CHAOS_REPORT, `${table}\n`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
