// Voice calls through the agent worker, one run on this machine, on loopback: the gateway (in this
// process), billing and the agent worker (each in its own process), Postgres, Redis and
// livekit-server; users are @livekit/rtc-node clients with tokens from POST /v1/voice/sessions. The
// worker runs the fake providers (AGENT_LLM=scripted, AGENT_STT=none, AGENT_TTS=none), so speech
// costs nothing and what is measured is the platform.
//   1. POST /v1/voice/sessions → the agent in the room (the user sees a participant with the
//      `mindbot.tenant` attribute), sequential sessions each joined and hung up, beside a bare
//      LiveKit room create + a second participant joining (same run, interleaved), and LiveKit's
//      documented dispatch target;
//   2. one tool turn's platform part: the billing job API call the balance tool makes
//      (BillingJobClient.summary(), with the session's own job token), beside a bare express
//      handler round trip (same run, interleaved);
//   3. the worker's memory (RSS of its process tree: main, job processes, inference process) as
//      concurrent calls ramp up, MB per additional call, and the most concurrent calls it held.
// Exits non-zero when a step fails (a join that never comes, a session that does not settle).
//   npm run bench:agent   (BENCH_SESSIONS=50, BENCH_TOOL_CALLS=250, BENCH_RAMP_SECONDS=180)
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import express from 'express';
import { AgentDispatchClient, AccessToken, RoomServiceClient, type ParticipantInfo } from 'livekit-server-sdk';
import type { RemoteParticipant, Room, TextStreamReader } from '@livekit/rtc-node';
import { createLifecycle, startServer, type RunningServer } from '@mindbot/http';
import { createLogger } from '@mindbot/logger';
import { agentDispatchSchema, CALL_NOTICE_TOPIC } from '@mindbot/sdk/agent-job';
import { voiceSessionSchema, type VoiceSession } from '@mindbot/sdk/schemas';
import { createTestDatabase, freePort, uniqueSlug, type TestDatabase } from '@mindbot/testing';
import { BillingJobClient } from '@mindbot/billing-client';
import { startBillingProcess, type BillingProcess } from '../services/gateway/src/testing/billing-process.js';
import { LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, startGatewayHarness, type GatewayHarness } from '../services/gateway/src/testing/harness.js';
import { startLiveKit, type LiveKitServer } from '../services/gateway/src/testing/livekit.js';
import { startAgentProcess, type AgentProcess } from '../test/support/agent-process.js';
import { allPids, procKb, procStat, processTree } from './proc.js';
import { median, ms, percentile } from './stats.js';

// rtc-node fixes its log level when it loads (debug unless NODE_ENV=production): loaded here as in
// production, so its debug lines do not bury the figures. Nothing above imports it.
const nodeEnv = process.env.NODE_ENV;
process.env.NODE_ENV = 'production';
const rtc = await import('@livekit/rtc-node');
if (nodeEnv === undefined) delete process.env.NODE_ENV;
else process.env.NODE_ENV = nodeEnv;

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const TOOL_CALLS = Number(process.env.BENCH_TOOL_CALLS ?? 250);
const RAMP_BUDGET_MS = Number(process.env.BENCH_RAMP_SECONDS ?? 180) * 1000;
const RAMP_LEVELS = [1, 2, 4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64];
/** A join slower than this means the worker no longer holds the level. */
const JOIN_LIMIT_MS = 10_000;
/** Heartbeats every 5 s (the worker's default): each call at a level must have one settled after the level is reached. */
const HEARTBEAT_SECONDS = 5;
/** The whole run; past it everything is cleaned up and the run fails. */
const WATCHDOG_MS = 25 * 60_000;
const WARMUP_SESSIONS = 2;
/** Others work on this machine: the ramp leaves them at least this much memory. */
const MIN_AVAILABLE_MB = 3_000;

const fail = (message: string): never => {
  throw new Error(message);
};

async function withTimeout<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`timed out after ${timeoutMs.toFixed(0)} ms waiting for ${what}`));
        }, timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

const signed = (value: number) => `${value < 0 ? '−' : '+'}${ms(Math.abs(value))}`;

const sleep = (delayMs: number) => new Promise<void>((resolve) => setTimeout(resolve, delayMs));

// ---- processes, from /proc -------------------------------------------------------------------

interface TreeMemory {
  processes: number;
  /** Sum of VmRSS (shared pages counted in every process). */
  rssMb: number;
  /** Sum of Pss (shared pages divided among the processes that map them). */
  pssMb: number;
}

function treeMemory(pid: number): TreeMemory {
  const tree = processTree(pid).filter((p) => procStat(p) !== undefined);
  const sum = (file: 'status' | 'smaps_rollup', field: string) => tree.reduce((total, p) => total + procKb(p, file, field), 0) / 1024;
  return { processes: tree.length, rssMb: sum('status', 'VmRSS'), pssMb: sum('smaps_rollup', 'Pss') };
}

/** What a process of the worker's tree is: the worker, a job process, the inference process. */
function describeProcess(pid: number): string {
  let args: string[];
  try {
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a.length > 0);
  } catch {
    return 'gone';
  }
  if (args.some((a) => a.includes('services/agent/src/main.ts'))) return 'worker';
  if (args.some((a) => a.includes('job_proc'))) return 'job';
  if (args.some((a) => a.includes('inference_proc'))) return 'inference';
  return args
    .map((a) => a.split('/').at(-1) ?? a)
    .join(' ')
    .slice(0, 80);
}

/** MemAvailable, in MB: the ramp stops before it takes the machine's memory from the other work on it. */
function availableMb(): number {
  const line = readFileSync('/proc/meminfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('MemAvailable:'));
  return Number(/(\d+)\s*kB/.exec(line ?? '')?.[1] ?? 0) / 1024;
}

/** The agent worker startAgentProcess spawned: this process's child running services/agent/src/main.ts. */
function agentWorkerPid(): number {
  const found = allPids().filter((p) => {
    if (procStat(p)?.ppid !== process.pid) return false;
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('services/agent/src/main.ts');
    } catch {
      return false;
    }
  });
  if (found.length !== 1) fail(`expected one agent worker process under this one, found ${found.length}`);
  return found[0] ?? 0;
}

/**
 * Until the worker's warm job process (its newest: the one the pool forked when the last call took
 * the previous one) has loaded and sits idle (no CPU for `quietMs`), so the next call meets a warm
 * worker, as a call arriving a little after the previous one would; calls already running may keep
 * their own processes busy. Answers how long that took (bounded: on a loaded machine it may not settle).
 */
async function warmProcessReady(worker: number, quietMs = 500, timeoutMs = 20_000): Promise<number> {
  const started = performance.now();
  const newestJob = () =>
    processTree(worker)
      .filter((p) => describeProcess(p) === 'job')
      .map((pid) => ({ pid, stat: procStat(pid) }))
      .sort((a, b) => (b.stat?.startTime ?? 0) - (a.stat?.startTime ?? 0))[0];
  while (performance.now() - started < timeoutMs) {
    const before = newestJob();
    await sleep(quietMs);
    const after = newestJob();
    if (before?.stat && after?.pid === before.pid && after.stat && after.stat.cpuTicks - before.stat.cpuTicks <= 1) break;
  }
  return performance.now() - started;
}

// ---- the run ---------------------------------------------------------------------------------

let database: TestDatabase | undefined;
let livekit: LiveKitServer | undefined;
let gateway: GatewayHarness | undefined;
let billing: BillingProcess | undefined;
let agent: AgentProcess | undefined;
let workerPid: number | undefined;
let gatewayServer: RunningServer | undefined;
let bareServer: RunningServer | undefined;
const openRooms = new Set<Room>();
const httpAgent = new HttpAgent({ keepAlive: true });

let cleaning: Promise<void> | undefined;
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await withTimeout(what, fn(), 30_000);
      } catch (error) {
        console.error(`clean-up: ${what} failed: ${String(error)}`);
        process.exitCode = 1;
      }
    };
    for (const room of openRooms) await step('a user leaving', () => room.disconnect());
    const workerTree = (workerPid === undefined ? [] : processTree(workerPid)).map((pid) => ({ pid, startTime: procStat(pid)?.startTime }));
    await step('the agent worker stopping', async () => agent?.stop());
    // Job and inference processes notice their worker is gone and exit; any still here after 10 s
    // are this run's own (by id) and are killed.
    const alive = () => workerTree.filter((p) => p.startTime !== undefined && procStat(p.pid)?.startTime === p.startTime).map((p) => p.pid);
    await until("the worker's job processes exiting", () => Promise.resolve(alive().length === 0 ? true : undefined), 10_000).catch(
      () => undefined,
    );
    for (const pid of alive()) {
      console.error(`clean-up: agent process ${pid} (${describeProcess(pid)}) outlived its worker by 10 s; killing it`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await step('the bare express server closing', async () => bareServer?.close());
    await step('the gateway closing', async () => gateway?.close());
    await step('billing stopping', async () => billing?.stop());
    await step('livekit-server stopping', async () => livekit?.stop());
    await step('rtc-node disposing', () => rtc.dispose());
    await step('the test database dropping', async () => database?.dispose());
    httpAgent.destroy();
  })();
  return cleaning;
}

const watchdog = setTimeout(() => {
  console.error(`the benchmark ran past ${WATCHDOG_MS / 60_000} minutes: stopping`);
  void cleanUp().finally(() => process.exit(1));
}, WATCHDOG_MS);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(1));
  });
}

/** A request to the gateway over real HTTP, the tenant chosen by Host as a browser on <tenant>.localhost would. */
function gatewayRequest(path: string, tenant: string, token: string, body: object): Promise<{ status: number; text: string }> {
  const server = gatewayServer ?? fail('the gateway is not listening');
  const url = new URL(path, server.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent: httpAgent,
        headers: {
          host: `${tenant}.localhost`,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
        timeout: 15_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${path} took longer than 15 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Resolves with the moment a participant that `matches` is in `room` (call check() after connecting, for those already there). */
function participantArrival(room: Room, matches: (participant: RemoteParticipant) => boolean): { at: Promise<number>; check: () => void } {
  let check = (): void => undefined;
  const at = new Promise<number>((resolve) => {
    check = () => {
      for (const participant of room.remoteParticipants.values()) {
        if (matches(participant)) {
          resolve(performance.now());
          return;
        }
      }
    };
    room.on(rtc.RoomEvent.ParticipantConnected, check);
    room.on(rtc.RoomEvent.ParticipantAttributesChanged, check);
  });
  return { at, check: () => check() };
}

/** A user room that reads (and drops) what the agent sends, as a client would. */
function userRoom(): Room {
  const room = new rtc.Room();
  const drain = (reader: TextStreamReader) => void reader.readAll().catch(() => undefined);
  room.registerTextStreamHandler('lk.transcription', drain);
  room.registerTextStreamHandler(CALL_NOTICE_TOPIC, drain);
  openRooms.add(room);
  return room;
}

async function leave(room: Room): Promise<void> {
  openRooms.delete(room);
  await room.disconnect();
}

interface Call {
  userId: string;
  session: VoiceSession;
  room: Room;
  /** ms from the start of POST /v1/voice/sessions. */
  answeredMs: number;
  connectedMs: number;
  agentMs: number;
  /** When LiveKit says the agent joined, from the start of POST (LiveKit's clock, this machine's epoch): dispatch without the announcement to the user. */
  agentJoinedMs: number;
}

function requireContext(): { gateway: GatewayHarness; livekit: LiveKitServer; tenant: string } {
  return { gateway: gateway ?? fail('no gateway'), livekit: livekit ?? fail('no livekit'), tenant: tenantSlug ?? fail('no tenant') };
}

let tenantSlug: string | undefined;

/** A user with minutes starts a session through the gateway and joins; resolves once they see the agent (or throws past `limitMs`). */
async function startCall(userId: string, limitMs: number): Promise<Call> {
  const { gateway: h, tenant } = requireContext();
  await h.grantSeconds(tenant, userId, 3_600);
  const token = await h.token(tenant, userId);
  const startedEpoch = Date.now();
  const started = performance.now();
  const deadline = started + limitMs;
  const res = await gatewayRequest('/v1/voice/sessions', tenant, token, {});
  if (res.status !== 201) fail(`POST /v1/voice/sessions for ${userId} answered ${res.status}: ${res.text.slice(0, 400)}`);
  const answeredMs = performance.now() - started;
  const session = voiceSessionSchema.parse(JSON.parse(res.text));
  const room = userRoom();
  const agentArrives = participantArrival(room, (p) => p.attributes['mindbot.tenant'] === tenant);
  const call = { userId, session, room, answeredMs, connectedMs: Number.NaN, agentMs: Number.NaN, agentJoinedMs: Number.NaN };
  try {
    await withTimeout(
      `${userId} joining the room`,
      room.connect(session.livekitUrl, session.token, { autoSubscribe: false, dynacast: false }),
      Math.max(1, deadline - performance.now()),
    );
    call.connectedMs = performance.now() - started;
    agentArrives.check();
    call.agentMs =
      (await withTimeout(`the agent joining ${userId}'s room`, agentArrives.at, Math.max(1, deadline - performance.now()))) - started;
    call.agentJoinedMs = (await joinedAtMs(session.room, (p) => p.attributes['mindbot.tenant'] === tenant)) - startedEpoch;
    return call;
  } catch (error) {
    // The caller still has to hang up: the room is left in openRooms for clean-up.
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { call });
  }
}

const callOf = (error: unknown): Call | undefined => (error instanceof Error && 'call' in error ? (error.call as Call) : undefined);

/** When LiveKit recorded the participant that `matches` joining `room` (epoch ms). */
async function joinedAtMs(room: string, matches: (participant: ParticipantInfo) => boolean): Promise<number> {
  const { livekit: lk } = requireContext();
  const participants = await new RoomServiceClient(lk.apiUrl, LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET).listParticipants(room);
  const found = participants.find(matches) ?? fail(`LiveKit lists no such participant in ${room}`);
  return Number(found.joinedAtMs);
}

interface SessionRow {
  id: string;
  status: string;
  lastHeartbeatAt: Date | null;
  settledSeconds: number;
}

async function sessionRows(ids: string[]): Promise<SessionRow[]> {
  const { gateway: h, tenant } = requireContext();
  return h.deps.tenants.forTenant(tenant).transaction((tx) =>
    tx.voiceSession.findMany({
      where: { id: { in: ids } },
      select: { id: true, status: true, lastHeartbeatAt: true, settledSeconds: true },
    }),
  );
}

/** Until every one of these sessions is ended (the agent settled it when the user left). */
async function settled(ids: string[], timeoutMs: number): Promise<void> {
  await until(
    `${ids.length} session(s) settled after hang-up`,
    async () => ((await sessionRows(ids)).filter((r) => r.status === 'ended').length === ids.length ? true : undefined),
    timeoutMs,
    250,
  );
}

interface BareJoin {
  createdMs: number;
  /** Both clients' connect() resolved. */
  connectedMs: number;
  /** The user sees the second participant. */
  seenMs: number;
  /** When LiveKit says the second participant joined (its clock). */
  peerJoinedMs: number;
}

/**
 * The bare LiveKit floor for the same observable event: create a room (as the gateway does), then
 * the user and a second participant with a server-minted token (standing in for the agent, which
 * LiveKit dispatches when the room is made) join at once, until the user sees the second one. The
 * second participant sets an attribute once in, as the agent does (its state): on this LiveKit a
 * participant that only joins is announced to the others on a ~3 s tick, one that changes its
 * attributes at once, and the baseline must not be slower than the agent for that reason alone.
 */
async function bareRoomJoin(index: number): Promise<BareJoin> {
  const { livekit: lk } = requireContext();
  const rooms = new RoomServiceClient(lk.apiUrl, LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET);
  const mint = (room: string, identity: string) => {
    const token = new AccessToken(LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET, { identity, ttl: 600 });
    token.addGrant({ room, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true, canUpdateOwnMetadata: true });
    return token.toJwt();
  };
  const name = `bench_bare_${index}_${Date.now()}`;
  const [userToken, peerToken] = await Promise.all([mint(name, 'bench_user'), mint(name, 'bench_peer')]);
  const user = userRoom();
  const peer = userRoom();
  const arrival = participantArrival(user, (p) => p.identity === 'bench_peer');
  const startedEpoch = Date.now();
  const started = performance.now();
  try {
    await rooms.createRoom({ name, emptyTimeout: 120, departureTimeout: 20, maxParticipants: 2 });
    const createdMs = performance.now() - started;
    await withTimeout(
      'a bare room join',
      Promise.all([
        user.connect(lk.url, userToken, { autoSubscribe: false, dynacast: false }).then(() => arrival.check()),
        peer
          .connect(lk.url, peerToken, { autoSubscribe: false, dynacast: false })
          .then(() => peer.localParticipant?.setAttributes({ 'bench.state': 'listening' })),
      ]),
      30_000,
    );
    const connectedMs = performance.now() - started;
    arrival.check();
    const seenMs = (await withTimeout('the second participant seen', arrival.at, 30_000)) - started;
    const peerJoinedMs = (await joinedAtMs(name, (p) => p.identity === 'bench_peer')) - startedEpoch;
    return { createdMs, connectedMs, seenMs, peerJoinedMs };
  } finally {
    await leave(peer);
    await leave(user);
    await rooms.deleteRoom(name).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const cores = cpus().length;
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  database = await createTestDatabase();
  const gatewayPort = await freePort();
  const billingPort = await freePort();
  livekit = await startLiveKit({
    apiKey: LIVEKIT_DEV_KEY,
    apiSecret: LIVEKIT_DEV_SECRET,
    webhookUrl: `http://127.0.0.1:${gatewayPort}/v1/webhooks/livekit`,
  });
  gateway = await startGatewayHarness({
    database,
    billingUrl: `http://127.0.0.1:${billingPort}`,
    livekit: { url: livekit.url, apiUrl: livekit.apiUrl },
  });
  gateway.deps.logger.level = 'warn';
  const tenant = uniqueSlug('bench');
  tenantSlug = tenant;
  await gateway.provision(tenant, (m) => {
    m.spec.plan.requestsPerMinute = 1_000_000;
    // The ramp holds many calls at once: the plan's limit must not be what is measured.
    m.spec.plan.concurrentSessions = 10_000;
  });
  billing = await startBillingProcess({ databaseUrl: database.url, issuer: gateway.issuer, port: billingPort });
  gatewayServer = await gateway.listen(gatewayPort);
  agent = await startAgentProcess({
    LIVEKIT_URL: livekit.url,
    LIVEKIT_API_KEY: LIVEKIT_DEV_KEY,
    LIVEKIT_API_SECRET: LIVEKIT_DEV_SECRET,
    BILLING_URL: billing.url,
    AGENT_TENANT: tenant,
    AGENT_HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS),
    // The load is calls ÷ 1000 (threshold 0.75): the worker never refuses a job for load; the machine decides.
    AGENT_MAX_CALLS: '1000',
    AGENT_DRAIN_SECONDS: '5',
    AGENT_LLM: 'scripted',
    AGENT_STT: 'none',
    AGENT_TTS: 'none',
  });
  await agent.registered();
  const worker = agentWorkerPid();
  workerPid = worker;
  const h = gateway;

  // ---- 1. POST /v1/voice/sessions → agent in the room, beside a bare room + second participant ----
  const platform: Call[] = [];
  const bare: BareJoin[] = [];
  const readyAgain: number[] = [];
  let userCount = 0;
  for (let i = 0; i < WARMUP_SESSIONS + SESSIONS; i++) {
    const bareJoin = await bareRoomJoin(i);
    const call = await startCall(`usr_dispatch_${++userCount}`, 30_000).catch((error: unknown) => {
      throw new Error(`step 1, session ${i + 1}: ${String(error)}\n${agent?.output.slice(-20).join('\n') ?? ''}`);
    });
    await leave(call.room);
    await settled([call.session.sessionId], 30_000);
    const waited = await warmProcessReady(worker);
    if (i < WARMUP_SESSIONS) continue;
    bare.push(bareJoin);
    platform.push(call);
    readyAgain.push(waited);
  }

  // ---- 2. one tool turn's billing call (BillingJobClient.summary()), beside a bare express round trip ----
  const bareApp = express();
  bareApp.get('/constant', (_req, res) => {
    res.json({
      session: { sessionId: 'vs_bench', status: 'active', settledSeconds: 0 },
      balance: { remainingSeconds: 600 },
      currency: 'usd',
    });
  });
  bareServer = await startServer(bareApp, {
    port: 0,
    logger: createLogger({ name: 'bench', level: 'silent' }),
    lifecycle: createLifecycle(),
  });
  const bareUrl = `${bareServer.url}/constant`;
  const toolCall = await startCall(`usr_tool_${++userCount}`, 30_000);
  const dispatches = await new AgentDispatchClient(livekit.apiUrl, LIVEKIT_DEV_KEY, LIVEKIT_DEV_SECRET).listDispatch(toolCall.session.room);
  const named = dispatches.find((d) => d.agentName !== '') ?? fail('the session has no agent dispatch');
  const dispatch = agentDispatchSchema.parse(JSON.parse(named.metadata));
  const client = new BillingJobClient(billing.url, { tenant, sessionId: dispatch.sessionId, jobToken: dispatch.jobToken });
  const summaryMs: number[] = [];
  const bareHttpMs: number[] = [];
  const bareRoundTrip = async () => {
    const res = await fetch(bareUrl, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) fail(`the bare handler answered ${res.status}`);
    JSON.parse(await res.text()) as unknown;
  };
  for (let i = 0; i < 20 + TOOL_CALLS; i++) {
    let started = performance.now();
    await bareRoundTrip();
    const bareOne = performance.now() - started;
    started = performance.now();
    const summary = await client.summary();
    const summaryOne = performance.now() - started;
    if (summary.session.sessionId !== toolCall.session.sessionId || summary.session.status !== 'active')
      fail(`billing answered another session's summary: ${JSON.stringify(summary.session)}`);
    if (i < 20) continue;
    bareHttpMs.push(bareOne);
    summaryMs.push(summaryOne);
  }
  await leave(toolCall.room);
  await settled([toolCall.session.sessionId], 30_000);
  await warmProcessReady(worker);

  // ---- 3. the worker's memory as concurrent calls ramp up; the most it holds ----
  interface Level {
    calls: number;
    memory: TreeMemory;
    joinP50: number;
    joinMax: number;
    pauseP50: number;
  }
  // Idle: the worker, its warm job process and the inference process, once the finished calls' job processes have exited.
  await until(
    "the finished calls' job processes exiting",
    () => Promise.resolve(processTree(worker).filter((p) => describeProcess(p) === 'job').length <= 1 ? true : undefined),
    30_000,
    250,
  );
  const idle = treeMemory(worker);
  const idleParts = processTree(worker).map(describeProcess).join(', ');
  const levels: Level[] = [];
  const live: Call[] = [];
  let stoppedBy = `the time budget (${RAMP_BUDGET_MS / 1000} s) or the last level tried`;
  const rampStarted = Date.now();
  try {
    ramp: for (const target of RAMP_LEVELS) {
      if (Date.now() - rampStarted > RAMP_BUDGET_MS) {
        stoppedBy = `the time budget (${RAMP_BUDGET_MS / 1000} s) before ${target} calls`;
        break;
      }
      const joins: number[] = [];
      const pauses: number[] = [];
      // Calls are added one after another, each once the worker has a warm job process again (a burst
      // would measure how fast it forks job processes, not how many calls it holds).
      while (live.length < target) {
        if (Date.now() - rampStarted > RAMP_BUDGET_MS) {
          stoppedBy = `the time budget (${RAMP_BUDGET_MS / 1000} s) at ${live.length} calls, towards ${target}`;
          break ramp;
        }
        pauses.push(await warmProcessReady(worker));
        if (availableMb() < MIN_AVAILABLE_MB) {
          stoppedBy = `the machine's free memory (under ${MIN_AVAILABLE_MB} MB available) at ${live.length} calls`;
          break ramp;
        }
        try {
          const call = await startCall(`usr_ramp_${++userCount}`, JOIN_LIMIT_MS);
          live.push(call);
          joins.push(call.agentMs);
        } catch (error) {
          const partial = callOf(error);
          if (partial) live.push(partial);
          stoppedBy = `call ${live.length} (towards ${target}): ${String(error instanceof Error ? error.message : error)}`;
          break ramp;
        }
      }
      // Every call at this level is metered: a heartbeat settled by billing after the level was reached.
      const ids = live.map((c) => c.session.sessionId);
      const before = new Map((await sessionRows(ids)).map((r) => [r.id, r.lastHeartbeatAt?.getTime() ?? 0]));
      try {
        await until(
          `a heartbeat from each of ${target} calls`,
          async () => {
            const rows = await sessionRows(ids);
            const beating = rows.filter((r) => r.status === 'active' && (r.lastHeartbeatAt?.getTime() ?? 0) > (before.get(r.id) ?? 0));
            return beating.length === ids.length ? true : undefined;
          },
          HEARTBEAT_SECONDS * 1000 * 2 + 2_000,
          500,
        );
      } catch (error) {
        stoppedBy = `${target} calls: ${String(error instanceof Error ? error.message : error)}`;
        break;
      }
      const samples: TreeMemory[] = [];
      for (let s = 0; s < 3; s++) {
        samples.push(treeMemory(worker));
        await sleep(1_000);
      }
      samples.sort((a, b) => a.rssMb - b.rssMb);
      levels.push({
        calls: target,
        memory: samples[1] ?? fail('no memory sample'),
        joinP50: median(joins),
        joinMax: Math.max(...joins),
        pauseP50: median(pauses),
      });
    }
  } finally {
    // Everyone hangs up; the agent settles each call.
    await Promise.all(live.map((c) => leave(c.room).catch(() => undefined)));
  }
  const ids = live.map((c) => c.session.sessionId);
  let unsettled: string[] = [];
  if (ids.length > 0) {
    await settled(ids, 60_000).catch(() => undefined);
    unsettled = (await sessionRows(ids)).filter((r) => r.status !== 'ended').map((r) => r.id);
    // Ended through the gateway (as the user's app would) so that nothing is left running.
    for (const id of unsettled) {
      const owner = live.find((c) => c.session.sessionId === id)?.userId ?? fail(`no caller for ${id}`);
      const ended = await gatewayRequest(`/v1/voice/sessions/${id}/end`, tenant, await h.token(tenant, owner), {});
      if (ended.status !== 200) fail(`ending ${id} through the gateway answered ${ended.status}: ${ended.text.slice(0, 300)}`);
    }
  }
  const loadAtEnd = loadavg()[0] ?? Number.NaN;

  // ---- figures ----
  const p50 = (xs: readonly number[]) => percentile(xs, 50);
  const p99 = (xs: readonly number[]) => percentile(xs, 99);
  const row = (name: string, xs: readonly number[]) =>
    `   ${name.padEnd(46)} p50 ${ms(p50(xs)).padStart(10)}  p99 ${ms(p99(xs)).padStart(10)}`;
  const agentMs = platform.map((c) => c.agentMs);
  console.log(
    `agent calls: one machine, ${cores} cores (${process.arch}), Node ${process.version}; load average ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end (other work shares these cores)`,
  );
  console.log(
    `worker: one process (tenant-dedicated), AGENT_LLM=scripted AGENT_STT=none AGENT_TTS=none, 1 warm job process, heartbeats every ${HEARTBEAT_SECONDS} s`,
  );
  console.log('');
  console.log(
    `1. POST /v1/voice/sessions → agent in the room, ${platform.length} sessions, sequential (each joined, then hung up and settled), after ${WARMUP_SESSIONS} warm-up`,
  );
  console.log(row('platform: POST → user sees the agent', agentMs));
  console.log(
    row(
      '  of which POST answered',
      platform.map((c) => c.answeredMs),
    ),
  );
  console.log(
    row(
      '  of which user connected to the room',
      platform.map((c) => c.connectedMs),
    ),
  );
  console.log(
    row(
      "  POST → agent joined (LiveKit's joinedAt)",
      platform.map((c) => c.agentJoinedMs),
    ),
  );
  const bareMs = bare.map((b) => b.seenMs);
  console.log(row('bare LiveKit: createRoom + 2nd participant seen', bareMs));
  console.log(
    row(
      '  of which createRoom answered',
      bare.map((b) => b.createdMs),
    ),
  );
  console.log(
    row(
      '  of which both clients connected',
      bare.map((b) => b.connectedMs),
    ),
  );
  console.log(
    row(
      "  createRoom → 2nd joined (LiveKit's joinedAt)",
      bare.map((b) => b.peerJoinedMs),
    ),
  );
  console.log(
    `   platform adds                                  p50 ${signed(p50(agentMs) - p50(bareMs))} (${(p50(agentMs) / p50(bareMs)).toFixed(2)}× bare), p99 ${signed(p99(agentMs) - p99(bareMs))}`,
  );
  console.log(`   LiveKit's documented target                    agent dispatch < 150 ms`);
  console.log(row('(pause between calls: warm job process idle)', readyAgain));
  console.log('');
  console.log(
    `2. one tool turn's platform part: GET …/sessions/:id with the job token (BillingJobClient.summary()), ${summaryMs.length} calls, interleaved, after 20 warm-up`,
  );
  console.log(row('billing job API summary()', summaryMs));
  console.log(row('bare express handler round trip (fetch)', bareHttpMs));
  console.log(
    `   billing adds                                   p50 ${signed(p50(summaryMs) - p50(bareHttpMs))} (${(p50(summaryMs) / p50(bareHttpMs)).toFixed(1)}× bare), p99 ${signed(p99(summaryMs) - p99(bareHttpMs))}`,
  );
  console.log('');
  console.log(
    `3. one worker's memory with concurrent calls (RSS and PSS of main + job processes + inference process, median of 3 samples)`,
  );
  const line = (calls: number, m: TreeMemory, extra: string) =>
    `   ${String(calls).padStart(3)} calls: ${String(m.processes).padStart(3)} processes  RSS ${m.rssMb.toFixed(0).padStart(6)} MB  PSS ${m.pssMb.toFixed(0).padStart(6)} MB${extra}`;
  console.log(line(0, idle, `  (idle: ${idleParts})`));
  for (const level of levels)
    console.log(
      line(
        level.calls,
        level.memory,
        `  POST → agent seen p50 ${ms(level.joinP50)}, slowest ${ms(level.joinMax)} (warm-process pause p50 ${ms(level.pauseP50)})`,
      ),
    );
  const points = [{ calls: 0, memory: idle }, ...levels];
  const slope = (pick: (m: TreeMemory) => number) => {
    const mx = points.reduce((s, p) => s + p.calls, 0) / points.length;
    const my = points.reduce((s, p) => s + pick(p.memory), 0) / points.length;
    const num = points.reduce((s, p) => s + (p.calls - mx) * (pick(p.memory) - my), 0);
    const den = points.reduce((s, p) => s + (p.calls - mx) ** 2, 0);
    return den === 0 ? Number.NaN : num / den;
  };
  const held = levels.at(-1)?.calls ?? 0;
  console.log(
    `   per additional call (least squares over the levels): RSS ${slope((m) => m.rssMb).toFixed(1)} MB, PSS ${slope((m) => m.pssMb).toFixed(1)} MB`,
  );
  console.log(
    `   most concurrent calls held (every agent joined within ${JOIN_LIMIT_MS / 1000} s, every call's heartbeat settled): ${held}; stopped by ${stoppedBy}`,
  );
  console.log(`   LiveKit's sizing rule: 25 sessions per 4 cores → ${((25 / 4) * cores).toFixed(1)} on ${cores} cores`);
  if (unsettled.length > 0)
    console.log(
      `   ${unsettled.length} ramp call(s) were not settled by the agent within 60 s of hang-up and were ended through the gateway`,
    );

  // A run whose first level did not hold measured nothing about capacity.
  if (levels.length === 0) fail(`step 3: not even one call held (${stoppedBy})`);
}

try {
  await main();
} catch (error) {
  console.error(`the benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
  clearTimeout(watchdog);
}
