// One chaos run: for each fault, load starts, the fault is injected and healed, the load goes on,
// the talkers end their sessions, and the requests and the ledger are judged.
import { join } from 'node:path';
import { startK6 } from './k6-load.js';
import { checkLedger, ledgerClean, type LedgerCheck } from './ledger-check.js';
import { FAULTS, type FaultName } from './faults.js';
import { startLoad, type LoadOptions, type Sample } from './load.js';
import type { ChaosPlatform } from './platform.js';

export interface ChaosSettings {
  /** k6 (load-tests/chaos.js) beside the Node load: the full run, when k6 is built. */
  k6?: { binary: string; dir: string };
  load: Omit<LoadOptions, 'viaGateway'>;
  /** Load before the fault, ms. */
  beforeMs: number;
  /** How long the broken part stays down, ms. */
  downMs: number;
  /** Load after the part is back, ms. */
  afterMs: number;
}

export interface FaultResult {
  fault: FaultName | 'none';
  skipped?: string;
  requests: number;
  /** When the part went down and when it answered again (ms since the epoch). */
  injectedAt: number;
  restoredAt: number;
  /** 5xx answers (and requests without any answer) to requests sent before the fault or after the part was back. */
  errorsOutside: number;
  /** Other answers than the expected one (e.g. a 404 for a known tenant) to requests sent outside the window. */
  wrongOutside: number;
  /** What failed or was wrong outside the window, by kind and status (e.g. `balance 503`). */
  errorsOutsideDetail: Record<string, number>;
  /** The first few of them, for a look (times relative to the fault). */
  firstErrorsOutside: string[];
  /** Requests in flight or sent while the part was down that were not served (5xx, 429 or no answer). */
  refusedDuring: number;
  requestsDuring: number;
  /** From the part answering again to the end of the last failed request: how long the platform took to heal by itself, ms. */
  recoveryMs: number;
  /** What the requests sent after the part was back got, by kind and status. */
  answersAfter: Record<string, number>;
  /** Every kind of request sent after the part was back succeeded again. */
  recovered: boolean;
  ledger: LedgerCheck | undefined;
  /** Services that were no longer running after the fault (crashed, not restarted by the run). */
  crashed: string[];
  ok: boolean;
}

const failed = (s: Sample) => s.status === 0 || s.status >= 500;
/** What each request must get when the platform is well. */
const EXPECTED: Record<Sample['kind'], number> = {
  branding: 200,
  balance: 200,
  start: 201,
  heartbeat: 200,
  end: 200,
  purchase: 201,
  webhook: 200,
  'k6:branding': 200,
  'k6:balance': 200,
  'k6:start': 201,
  'k6:end': 200,
};
const wrong = (s: Sample) => !failed(s) && s.status !== EXPECTED[s.kind];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function judge(
  fault: FaultResult['fault'],
  samples: Sample[],
  injectedAt: number,
  restoredAt: number,
  ledger: LedgerCheck | undefined,
): FaultResult {
  // A request in flight when the part went down was hit by the fault: it belongs to the window.
  const inWindow = (s: Sample) => s.at + s.ms >= injectedAt && s.at < restoredAt;
  const outside = samples.filter((s) => !inWindow(s));
  const during = samples.filter(inWindow);
  const errorsOutsideDetail: Record<string, number> = {};
  for (const s of outside.filter((x) => failed(x) || wrong(x)))
    errorsOutsideDetail[`${s.kind} ${s.status}`] = (errorsOutsideDetail[`${s.kind} ${s.status}`] ?? 0) + 1;
  const lastFailureEnd = Math.max(restoredAt, ...samples.filter((s) => s.at + s.ms >= injectedAt && failed(s)).map((s) => s.at + s.ms));
  const kinds = new Set(samples.filter((s) => s.at >= restoredAt).map((s) => s.kind));
  const healthyAfter = new Set(samples.filter((s) => s.at >= restoredAt && s.status >= 200 && s.status < 300).map((s) => s.kind));
  const recovered = [...kinds].every((k) => healthyAfter.has(k));
  const answersAfter: Record<string, number> = {};
  for (const s of samples.filter((x) => x.at >= restoredAt))
    answersAfter[`${s.kind} ${s.status}`] = (answersAfter[`${s.kind} ${s.status}`] ?? 0) + 1;
  const errorsOutside = outside.filter(failed).length;
  const wrongOutside = outside.filter(wrong).length;
  return {
    fault,
    requests: samples.length,
    injectedAt,
    restoredAt,
    errorsOutside,
    wrongOutside,
    errorsOutsideDetail,
    firstErrorsOutside: outside
      .filter((x) => failed(x) || wrong(x))
      .slice(0, 5)
      .map((x) => `${x.kind} ${x.status} sent ${x.at - injectedAt} ms after the fault, answered in ${x.ms} ms`),
    refusedDuring: during.filter((s) => failed(s) || s.status === 429).length,
    requestsDuring: during.length,
    recoveryMs: lastFailureEnd - restoredAt,
    recovered,
    answersAfter,
    ledger,
    crashed: [],
    ok: errorsOutside === 0 && wrongOutside === 0 && recovered && (ledger === undefined || ledgerClean(ledger)),
  };
}

export async function runFault(
  platform: ChaosPlatform,
  name: FaultName | 'none',
  settings: ChaosSettings,
  say: (line: string) => void,
): Promise<FaultResult> {
  const fault = FAULTS.find((f) => f.name === name);
  const unavailable = fault?.unavailable(platform);
  if (unavailable !== undefined) {
    say(`${name}: skipped (${unavailable})`);
    return { ...judge(name, [], 0, 0, undefined), skipped: unavailable, ok: true, recovered: true };
  }
  const load = startLoad(platform, { ...settings.load, viaGateway: platform.livekit !== undefined });
  const k6 = settings.k6 ? startK6(platform, settings.k6.binary, join(settings.k6.dir, `k6-${name}.json`)) : undefined;
  await sleep(settings.beforeMs);
  const injectedAt = Date.now();
  say(`${name}: injecting`);
  if (fault) await fault.inject(platform, settings.downMs);
  else await sleep(settings.downMs);
  const restoredAt = Date.now();
  say(`${name}: back after ${restoredAt - injectedAt} ms`);
  await sleep(settings.afterMs);
  const k6Samples = (await k6?.stop()) ?? [];
  await load.stop();
  const ledger = await checkLedger(
    platform.postgres.url,
    platform.seed.tenants.map((t) => t.slug),
    load.sessions,
    load.purchases,
  );
  const judged = judge(name, [...load.samples, ...k6Samples], injectedAt, restoredAt, ledger);
  const crashed = Object.values(platform.services).flatMap((s) => (s && !s.running() ? [s.name] : []));
  const result = { ...judged, crashed, ok: judged.ok && crashed.length === 0 };
  say(`${name}: ${result.ok ? 'survived' : 'FAILED'} ${JSON.stringify({ ...result, injectedAt: undefined, restoredAt: undefined })}`);
  return result;
}

export function formatResults(results: FaultResult[]): string {
  const lines = [
    '| fault | requests | down (s) | 5xx outside window | other wrong answers outside | refused during / sent during | recovery after back (s) | sessions | s lost | s double | negative balances | purchases paid / fulfilled twice / lost | ledger problems | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    if (r.skipped !== undefined) {
      lines.push(`| ${r.fault} | skipped: ${r.skipped} ||||||||||||| |`);
      continue;
    }
    const l = r.ledger;
    lines.push(
      `| ${r.fault} | ${r.requests} | ${((r.restoredAt - r.injectedAt) / 1000).toFixed(1)} | ${r.errorsOutside} | ${r.wrongOutside}${
        r.errorsOutside + r.wrongOutside
          ? ` (${Object.entries(r.errorsOutsideDetail)
              .map(([k, v]) => `${k}×${v}`)
              .join(', ')})`
          : ''
      } | ${r.refusedDuring} / ${r.requestsDuring} | ${(r.recoveryMs / 1000).toFixed(1)} | ${l?.sessions ?? '-'}${l?.unended ? ` (${l.unended} unended)` : ''} | ${l?.secondsLost ?? '-'} | ${l?.secondsDoubled ?? '-'} | ${l?.negativeBalances ?? '-'} | ${l ? `${l.purchases} / ${l.doubleFulfilments} / ${l.unfulfilled}` : '-'} | ${l?.problems.length ?? '-'} | ${r.ok ? 'survived' : 'FAILED'}${r.recovered ? '' : ' (did not recover)'}${r.crashed.length ? ` (crashed: ${r.crashed.join(', ')})` : ''} |`,
    );
  }
  return lines.join('\n');
}
