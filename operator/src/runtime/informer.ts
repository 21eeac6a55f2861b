import { makeInformer, type KubernetesObject, type KubernetesListObject } from '@kubernetes/client-node';
import type { Logger } from '@mindbot/logger';
import { ExponentialBackoff } from './backoff.js';
import type { KubeClient, KubeResource } from './kube-client.js';
import type { ControllerMetrics } from './metrics.js';

export type InformerEvent = 'add' | 'update' | 'delete';
export type InformerHandler<T> = (event: InformerEvent, object: T, old?: T) => void;

export interface InformerOptions {
  client: KubeClient;
  /** Collection path, e.g. `/apis/apps/v1/deployments`. */
  path: string;
  labelSelector?: string;
  logger: Logger;
  metrics?: ControllerMetrics;
  /** Restart delays after a failed list or watch: doubles from `minMs` to `maxMs`. */
  restartBackoff?: { minMs: number; maxMs: number };
}

/**
 * A list-watch cache of one kind (client-node's informer) that, unlike the library's, does not
 * stay stopped after an error: it restarts with backoff, relisting, until `stop()`.
 */
export class ResilientInformer<T extends KubeResource> {
  private readonly informer;
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly backoff: ExponentialBackoff;
  private stopped = true;
  private restartTimer: NodeJS.Timeout | undefined;
  private syncedResolve: (() => void) | undefined;
  readonly synced: Promise<void>;
  private isSynced = false;
  private readonly previous = new Map<string, T>();

  constructor(private readonly options: InformerOptions) {
    this.backoff = new ExponentialBackoff(options.restartBackoff?.minMs ?? 500, options.restartBackoff?.maxMs ?? 30_000);
    this.synced = new Promise((resolve) => (this.syncedResolve = resolve));
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const result = await options.client.list<T>(options.path, options.labelSelector);
      // The library fills its cache right after this promise resolves, in the same turn.
      setTimeout(() => {
        this.isSynced = true;
        this.backoff.forget('restart');
        this.syncedResolve?.();
      }, 0);
      return result as unknown as KubernetesListObject<KubernetesObject>;
    };
    this.informer = makeInformer(options.client.kubeConfig, options.path, list, options.labelSelector);
    const emit = (event: InformerEvent) => (object: KubernetesObject) => {
      const typed = object as unknown as T;
      const key = keyOf(typed);
      const old = this.previous.get(key);
      if (event === 'delete') this.previous.delete(key);
      else this.previous.set(key, typed);
      for (const handler of this.handlers) handler(event, typed, old);
    };
    this.informer.on('add', emit('add'));
    this.informer.on('update', emit('update'));
    this.informer.on('delete', emit('delete'));
    this.informer.on('error', (error: unknown) => this.restartAfterError(error));
  }

  get hasSynced(): boolean {
    return this.isSynced;
  }

  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace) as unknown as T | undefined;
  }

  list(namespace?: string): T[] {
    return this.informer.list(namespace) as unknown as T[];
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.informer.start().catch((error: unknown) => this.restartAfterError(error));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    await this.informer.stop();
  }

  private restartAfterError(error: unknown): void {
    if (this.stopped) return;
    const delay = this.backoff.next('restart');
    this.options.metrics?.informerRestarts.inc({ resource: this.options.path });
    this.options.logger.warn({ path: this.options.path, err: error, retryInMs: delay }, 'informer failed: restarting');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      void this.informer.start().catch((err: unknown) => this.restartAfterError(err));
    }, delay);
    this.restartTimer.unref();
  }
}

export const keyOf = (object: KubeResource): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
