import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort } from '@mindbot/testing/free-port';

const run = promisify(execFile);

/** Where `npm run tools` (scripts/tools.sh) puts kube-apiserver and etcd. */
export function toolsBinDir(): string {
  const repoTools = fileURLToPath(new URL('../../../.tools/bin', import.meta.url));
  if (process.env.MINDBOT_TOOLS_BIN) return process.env.MINDBOT_TOOLS_BIN;
  return existsSync(repoTools) ? repoTools : join(homedir(), '.cache', 'mindbot', 'tools', 'bin');
}

export interface AuditEvent {
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; namespace?: string; name?: string; subresource?: string; apiGroup?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp: string;
}

export interface TestApiServer {
  /** https://127.0.0.1:<port> */
  url: string;
  /** A kubeconfig for a user of the given name, authenticated by a client certificate (system:masters by default). */
  kubeConfig(user?: string, groups?: readonly string[]): Promise<KubeConfig>;
  /** The kubeconfig file of that user, for processes started by the test. */
  kubeConfigFile(user?: string, groups?: readonly string[]): Promise<string>;
  /** Requests (other than get/list/watch) the API server has completed, from its audit log. */
  writeRequests(filter?: { user?: string }): Promise<AuditEvent[]>;
  /** Sends one request as the admin and returns status and parsed body. */
  request(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: unknown }>;
  /**
   * Stops kube-apiserver, keeps it down for `downMs`, and starts it again on the same port and etcd
   * (what clients see during a control-plane upgrade): open watches break, requests are refused.
   */
  restart(downMs?: number): Promise<void>;
  /** The running processes' ids, for benchmarks that account their CPU time. */
  processIds(): { apiServer: number | undefined; etcd: number | undefined };
  /** Stops both processes and removes every file; safe to call twice. */
  stop(): Promise<void>;
}

export interface TestApiServerOptions {
  /** CustomResourceDefinitions to install and wait for. */
  crds?: readonly Record<string, unknown>[];
  /** Where the processes' output goes; discarded by default. */
  logFile?: string;
}

interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

async function makeCa(dir: string): Promise<Pki> {
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/CN=mindbot-test-ca',
      '-days',
      '2',
    ],
    dir,
  );
  return { dir, caCert: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key') };
}

/** A key and a certificate signed by the test CA: `subject` like `/O=system:masters/CN=admin`. */
async function issue(pki: Pki, name: string, subject: string, extensions: string): Promise<{ cert: string; key: string }> {
  const key = join(pki.dir, `${name}.key`);
  const csr = join(pki.dir, `${name}.csr`);
  const cert = join(pki.dir, `${name}.crt`);
  const ext = join(pki.dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await openssl(
    ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', subject],
    pki.dir,
  );
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', pki.caCert, '-CAkey', pki.caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext],
    pki.dir,
  );
  return { cert, key };
}

function clientSubject(user: string, groups: readonly string[]): string {
  return `${groups.map((g) => `/O=${g}`).join('')}/CN=${user}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spawnLogged(binary: string, args: readonly string[], logFile: string | undefined): ChildProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  const keep = (chunk: Buffer) => {
    chunks.push(chunk);
    if (chunks.length > 200) chunks.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', () => {
    if (logFile) void writeFile(logFile, Buffer.concat(chunks), { flag: 'a' }).catch(() => undefined);
  });
  (child as ChildProcess & { recentOutput?: () => string }).recentOutput = () => Buffer.concat(chunks).toString().slice(-4000);
  return child;
}

function recentOutput(child: ChildProcess): string {
  return (child as ChildProcess & { recentOutput?: () => string }).recentOutput?.() ?? '';
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// Children die with the test process even when a test forgets stop() or the worker is killed.
const living = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of living) child.kill('SIGKILL');
});

/**
 * etcd and kube-apiserver on free loopback ports with certificates of their own (what envtest
 * does), the given CRDs installed. No controller manager, scheduler or kubelet: objects are stored
 * and validated, never garbage-collected or run.
 */
export async function startTestApiServer(options: TestApiServerOptions = {}): Promise<TestApiServer> {
  const bin = toolsBinDir();
  for (const tool of ['etcd', 'kube-apiserver']) {
    if (!existsSync(join(bin, tool)))
      throw new Error(`${tool} not found in ${bin}: run \`npm run tools\` (scripts/tools.sh) once on this machine`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'mindbot-kube-'));
  let etcd: ChildProcess | undefined;
  let apiserver: ChildProcess | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopProcess(apiserver);
    await stopProcess(etcd);
    if (apiserver) living.delete(apiserver);
    if (etcd) living.delete(etcd);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const pki = await makeCa(dir);
    const serving = await issue(
      pki,
      'apiserver',
      '/CN=kube-apiserver',
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
    );
    const admin = await issue(pki, 'admin', clientSubject('admin', ['system:masters']), 'extendedKeyUsage=clientAuth\n');
    const saKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(dir, 'sa.key'), saKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await writeFile(join(dir, 'sa.pub'), saKeys.publicKey.export({ type: 'spki', format: 'pem' }));
    await writeFile(
      join(dir, 'audit-policy.yaml'),
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: None\n    verbs: [get, list, watch]\n  - level: None\n    nonResourceURLs: ["*"]\n  - level: Metadata\n',
    );

    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    etcd = spawnLogged(
      join(bin, 'etcd'),
      [
        '--name=test',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=test=http://127.0.0.1:${peerPort}`,
        '--unsafe-no-fsync',
        '--log-level=error',
      ],
      options.logFile,
    );
    living.add(etcd);
    await waitFor('etcd', etcd, async () => (await plainGet(`${etcdUrl}/health`)) === 200);

    const url = `https://127.0.0.1:${apiPort}`;
    const startApiServer = () =>
      spawnLogged(
        join(bin, 'kube-apiserver'),
        [
          `--etcd-servers=${etcdUrl}`,
          `--cert-dir=${join(dir, 'apiserver-certs')}`,
          `--tls-cert-file=${serving.cert}`,
          `--tls-private-key-file=${serving.key}`,
          `--client-ca-file=${pki.caCert}`,
          `--secure-port=${apiPort}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          // Every Tenant's Service takes a cluster IP: a /24 runs out after 253 Tenants (the benchmark makes 1,000).
          '--service-cluster-ip-range=10.96.0.0/12',
          '--allow-privileged=true',
          '--disable-admission-plugins=ServiceAccount',
          '--authorization-mode=RBAC',
          `--service-account-issuer=${url}`,
          `--service-account-key-file=${join(dir, 'sa.pub')}`,
          `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
          `--audit-policy-file=${join(dir, 'audit-policy.yaml')}`,
          `--audit-log-path=${join(dir, 'audit.log')}`,
          '--audit-log-maxsize=0',
          '--v=0',
        ],
        options.logFile,
      );
    apiserver = startApiServer();
    living.add(apiserver);

    const tls = { ca: await readFile(pki.caCert), cert: await readFile(admin.cert), key: await readFile(admin.key) };
    const adminRequest = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
      tlsRequest(url, tls, method, path, body, contentType);
    await waitFor('kube-apiserver', apiserver, async () => (await adminRequest('GET', '/readyz')).status === 200, 60_000);

    for (const crd of options.crds ?? []) {
      const created = await adminRequest('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      if (created.status !== 201) throw new Error(`installing a CRD failed (${created.status}): ${JSON.stringify(created.body)}`);
      const spec = (crd as { spec: { group: string; versions: { name: string }[]; names: { plural: string } } }).spec;
      const collection = `/apis/${spec.group}/${spec.versions[0]?.name ?? 'v1'}/${spec.names.plural}`;
      await waitFor('the CRD to be served', apiserver, async () => (await adminRequest('GET', collection)).status === 200);
    }

    const userCerts = new Map<string, { cert: string; key: string }>();
    const certOf = async (user: string, groups: readonly string[]) => {
      const id = `${user}|${groups.join(',')}`;
      let found = userCerts.get(id);
      if (!found) {
        found =
          user === 'admin' && groups.join() === 'system:masters'
            ? admin
            : await issue(pki, `user-${userCerts.size}`, clientSubject(user, groups), 'extendedKeyUsage=clientAuth\n');
        userCerts.set(id, found);
      }
      return found;
    };
    const kubeConfigYaml = async (user: string, groups: readonly string[]) => {
      const { cert, key } = await certOf(user, groups);
      const b64 = async (file: string) => (await readFile(file)).toString('base64');
      return JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'test', cluster: { server: url, 'certificate-authority-data': await b64(pki.caCert) } }],
        users: [{ name: user, user: { 'client-certificate-data': await b64(cert), 'client-key-data': await b64(key) } }],
        contexts: [{ name: 'test', context: { cluster: 'test', user } }],
        'current-context': 'test',
      });
    };

    return {
      url,
      async kubeConfig(user = 'admin', groups = ['system:masters']) {
        const kc = new KubeConfig();
        kc.loadFromString(await kubeConfigYaml(user, groups));
        return kc;
      },
      async kubeConfigFile(user = 'admin', groups = ['system:masters']) {
        const file = join(dir, `kubeconfig-${user}`);
        await writeFile(file, await kubeConfigYaml(user, groups));
        return file;
      },
      async writeRequests(filter = {}) {
        const text = await readFile(join(dir, 'audit.log'), 'utf8').catch(() => '');
        return text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as AuditEvent)
          .filter((event) => filter.user === undefined || event.user.username === filter.user);
      },
      request: adminRequest,
      processIds: () => ({ apiServer: apiserver?.pid, etcd: etcd?.pid }),
      async restart(downMs = 2_000) {
        const old = apiserver;
        await stopProcess(old);
        if (old) living.delete(old);
        await sleep(downMs);
        const next = startApiServer();
        apiserver = next;
        living.add(next);
        await waitFor('kube-apiserver after a restart', next, async () => (await adminRequest('GET', '/readyz')).status === 200, 60_000);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitFor(what: string, child: ChildProcess, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}:\n${recentOutput(child)}`);
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} was not ready after ${timeoutMs} ms:\n${recentOutput(child)}`);
}

function plainGet(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function tlsRequest(
  base: string,
  tls: { ca: Buffer; cert: Buffer; key: Buffer },
  method: string,
  path: string,
  body: unknown,
  contentType: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = httpsRequest(
      `${base}${path}`,
      { method, ...tls, headers: { accept: 'application/json', ...(payload === undefined ? {} : { 'content-type': contentType }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // plain text answers (healthz) stay text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
