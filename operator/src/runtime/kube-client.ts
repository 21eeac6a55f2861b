import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { Agent as HttpAgent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ObjectMeta } from '../api/v1alpha1/tenant-types.js';
import type { ControllerMetrics } from './metrics.js';

/** Any stored object: what informers, caches and apply need to know of it. */
export interface KubeResource {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
}

export interface KubeObject extends KubeResource {
  [field: string]: unknown;
}

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** A failed request, with the API server's Status when it sent one. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.status === 404;
export const isConflict = (error: unknown): boolean => error instanceof KubeApiError && error.status === 409;

export interface KubeClientOptions {
  /** The one field manager every server-side apply of this process uses. */
  fieldManager: string;
  userAgent?: string;
  metrics?: ControllerMetrics;
  /** Per-request timeout; watches do not go through this client. */
  timeoutMs?: number;
}

/**
 * The operator's REST client: raw JSON in and out (no model classes), authentication from any
 * kubeconfig or the in-cluster service account via @kubernetes/client-node's KubeConfig, one
 * keep-alive connection pool, and `rest_client_requests_total` for every request.
 */
export class KubeClient {
  private agent: HttpsAgent | HttpAgent | undefined;
  readonly server: string;
  private readonly host: string;

  constructor(
    readonly kubeConfig: KubeConfig,
    readonly options: KubeClientOptions,
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = cluster.server.replace(/\/$/, '');
    this.host = new URL(this.server).host;
  }

  get fieldManager(): string {
    return this.options.fieldManager;
  }

  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const opts: RequestOptions = { headers: {} };
    await this.kubeConfig.applyToHTTPSOptions(opts);
    const secure = this.server.startsWith('https:');
    this.agent ??= secure
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets: 32,
          ca: opts.ca,
          cert: opts.cert,
          key: opts.key,
          rejectUnauthorized: opts.rejectUnauthorized ?? true,
          servername: opts.servername,
        })
      : new HttpAgent({ keepAlive: true, maxSockets: 32 });
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const authHeaders: OutgoingHttpHeaders = {};
    if (opts.headers !== undefined && !Array.isArray(opts.headers)) Object.assign(authHeaders, opts.headers);
    const headers: OutgoingHttpHeaders = {
      ...authHeaders,
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'mindbot-operator',
      ...(payload === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }),
    };
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const send = secure ? httpsRequest : httpRequest;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = send(
        `${this.server}${path}`,
        { method, headers, agent: this.agent, timeout: this.options.timeoutMs ?? 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', (error) => {
        this.options.metrics?.restRequests.inc({ code: '<error>', method, host: this.host });
        reject(error);
      });
      req.end(payload);
    });
    this.options.metrics?.restRequests.inc({ code: String(status), method, host: this.host });
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (status >= 200 && status < 300) return parsed as T;
    const statusBody = (parsed ?? {}) as { reason?: string; message?: string };
    throw new KubeApiError(status, statusBody.reason ?? 'Unknown', statusBody.message ?? `${method} ${path} answered ${status}`);
  }

  async get<T>(path: string): Promise<T | undefined> {
    try {
      return await this.request<T>('GET', path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async list<T>(path: string, labelSelector?: string): Promise<KubeList<T>> {
    const items: T[] = [];
    let resourceVersion: string | undefined;
    let next: string | undefined;
    do {
      const query = new URLSearchParams({ limit: '500' });
      if (labelSelector) query.set('labelSelector', labelSelector);
      if (next) query.set('continue', next);
      const page = await this.request<KubeList<T>>('GET', `${path}?${query.toString()}`);
      // Items of a list carry no apiVersion/kind; watch events do. Make both look alike.
      const kind = page.kind?.replace(/List$/, '');
      items.push(...page.items.map((item) => ({ apiVersion: page.apiVersion, kind, ...item })));
      resourceVersion = page.metadata.resourceVersion;
      next = page.metadata.continue || undefined;
    } while (next);
    return { metadata: { resourceVersion }, items };
  }

  /** Server-side apply with this process's field manager, taking over conflicting fields. */
  apply<T extends KubeResource>(path: string, object: T): Promise<T> {
    const query = new URLSearchParams({ fieldManager: this.fieldManager, force: 'true' });
    return this.request<T>('PATCH', `${path}?${query.toString()}`, object, 'application/apply-patch+yaml');
  }

  delete(path: string): Promise<unknown> {
    return this.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  }

  close(): void {
    this.agent?.destroy();
  }
}
