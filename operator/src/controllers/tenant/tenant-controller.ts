import type { Logger } from '@mindbot/logger';
import type { TenantProvisioner } from '@mindbot/provisioning';
import { KIND, TENANTS_PATH, TENANT_FINALIZER, type Tenant } from '../../api/v1alpha1/tenant-types.js';
import { APPLIED_HASH_ANNOTATION, hashOf } from '../../runtime/apply.js';
import { Controller } from '../../runtime/controller.js';
import { ResilientInformer, type InformerEvent } from '../../runtime/informer.js';
import type { KubeClient, KubeObject } from '../../runtime/kube-client.js';
import type { ControllerMetrics } from '../../runtime/metrics.js';
import { OWNED_KINDS, SECRET, kindKey, resourcePath } from '../../runtime/resources.js';
import { OwnerIndex } from '../../runtime/owner-index.js';
import type { EventRecorder } from '../../runtime/event-recorder.js';
import type { BillingStep } from './billing.js';
import type { OwnersStep } from './owners.js';
import { MANAGED_BY_SELECTOR, type WorkloadConfig } from './context.js';
import { TenantReconciler, type OwnedCache } from './reconcile.js';

export const CONTROLLER_NAME = 'tenant';

/** The Tenant changed only by the finalizer this operator adds at the start of a reconcile (which goes on regardless). */
function onlyOurFinalizerAdded(old: Tenant, tenant: Tenant): boolean {
  const before = old.metadata.finalizers ?? [];
  const after = tenant.metadata.finalizers ?? [];
  return !before.includes(TENANT_FINALIZER) && after.join() === [...before, TENANT_FINALIZER].join();
}

/** An object without the fields only the API server's bookkeeping changes. */
function contentOf(object: KubeObject): unknown {
  const metadata: Record<string, unknown> = { ...object.metadata };
  delete metadata.resourceVersion;
  delete metadata.managedFields;
  return { ...object, metadata };
}

/**
 * An owned object's event that tells the reconcile nothing new: the API server reporting an object
 * this operator just applied (it carries the applied-hash the apply gave it), or an update that
 * changed only bookkeeping. Without this, each of a new Tenant's dozen applies queued a second,
 * idle reconcile of it. Deletions, and changes by anyone else, still queue the Tenant.
 */
function isOwnEcho(event: InformerEvent, object: KubeObject, old: KubeObject | undefined): boolean {
  if (event === 'delete') return false;
  if (event === 'add') return object.metadata.annotations?.[APPLIED_HASH_ANNOTATION] !== undefined;
  return old !== undefined && hashOf(contentOf(old)) === hashOf(contentOf(object));
}

export interface TenantControllerOptions {
  client: KubeClient;
  provisioner: TenantProvisioner;
  /** Stripe Connect provisioning; without it BillingReady reports NotConfigured and Ready does not wait for it. */
  billing?: BillingStep | undefined;
  owners?: OwnersStep | undefined;
  config: WorkloadConfig & { knownRegions: readonly string[] };
  logger: Logger;
  metrics?: ControllerMetrics;
  events?: EventRecorder;
  workers: number;
  /** Every Tenant is reconciled at least this often, changed or not. */
  resyncPeriodMs: number;
  /** First retry delay of a failing Tenant (doubles per failure, up to maxRetryDelayMs). */
  baseRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/**
 * Informers for Tenants and every kind they own (changes to an owned object queue its Tenant),
 * the work queue and its workers. Informers run on every replica so a new leader starts warm;
 * only the leader runs workers (`startWorkers` / `stopWorkers`).
 */
export class TenantController {
  readonly tenants: ResilientInformer<Tenant>;
  readonly owned = new Map<string, OwnedCache>();
  /** The cached owned objects by Tenant, so a reconcile reads its own and not every tenant's. */
  readonly ownerIndex = new OwnerIndex(KIND);
  /**
   * The Secrets in the default LiveKit Secret's namespace, where Tenants' LiveKit Secrets and the provider
   * Secret usually live: a rotation reaches the agents without waiting for a resync.
   */
  readonly livekitSources: ResilientInformer<KubeObject>;
  private readonly reconciler: TenantReconciler;
  private controller: Controller | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TenantControllerOptions) {
    const { client, logger, metrics } = options;
    this.tenants = new ResilientInformer<Tenant>({ client, path: TENANTS_PATH, logger, metrics });
    this.tenants.on((event, tenant, old) => {
      if (event === 'delete') return;
      const meta = tenant.metadata;
      const finalizers = (old?.metadata.finalizers ?? []).join() !== (meta.finalizers ?? []).join();
      const changed =
        !old ||
        old.metadata.generation !== meta.generation ||
        old.metadata.deletionTimestamp !== meta.deletionTimestamp ||
        (finalizers && !onlyOurFinalizerAdded(old, tenant));
      if (changed) this.enqueue(meta.name);
    });
    for (const kind of OWNED_KINDS) {
      const informer = new ResilientInformer<KubeObject>({
        client,
        path: resourcePath(kind),
        labelSelector: MANAGED_BY_SELECTOR,
        logger,
        metrics,
      });
      informer.on((event: InformerEvent, object, old) => {
        this.ownerIndex.observe(event, kind, object);
        const owner = this.ownerIndex.ownerOf(object);
        if (owner !== undefined && !isOwnEcho(event, object, old)) this.enqueue(owner);
      });
      this.owned.set(kindKey(kind.apiVersion, kind.kind), { kind, informer });
    }
    const sourceNamespace = options.config.defaultLivekitSecret.namespace;
    this.livekitSources = new ResilientInformer<KubeObject>({ client, path: resourcePath(SECRET, sourceNamespace), logger, metrics });
    // Every tenant's agents carry the provider keys and the agent Redis URL.
    const everyTenant = new Set(
      [options.config.agentProviders.secret, options.config.agentRedis?.secret].flatMap((ref) =>
        ref?.namespace === sourceNamespace ? [ref.name] : [],
      ),
    );
    this.livekitSources.on((_event: InformerEvent, secret) => {
      if (everyTenant.has(secret.metadata.name)) {
        this.resyncAll();
        return;
      }
      for (const tenant of this.tenants.list()) {
        const ref = tenant.spec.agent.livekitSecretRef ?? options.config.defaultLivekitSecret;
        if (ref.namespace === sourceNamespace && ref.name === secret.metadata.name) this.enqueue(tenant.metadata.name);
      }
    });
    this.reconciler = new TenantReconciler({
      client,
      tenants: this.tenants,
      owned: this.owned,
      ownerIndex: this.ownerIndex,
      livekitSources: this.livekitSources,
      provisioner: options.provisioner,
      billing: options.billing,
      owners: options.owners,
      events: options.events,
      config: options.config,
      logger,
      metrics,
    });
  }

  private informers(): Pick<ResilientInformer<KubeObject>, 'hasSynced' | 'synced' | 'start' | 'stop'>[] {
    return [this.tenants, this.livekitSources, ...[...this.owned.values()].map((o) => o.informer)];
  }

  get hasSynced(): boolean {
    return this.informers().every((i) => i.hasSynced);
  }

  /** Tenants waiting for a worker (not counting those waiting out a backoff). */
  get queueLength(): number {
    return this.controller?.queue.length ?? 0;
  }

  get running(): boolean {
    return this.controller !== undefined;
  }

  async startInformers(): Promise<void> {
    await Promise.all(this.informers().map((i) => i.start()));
  }

  async waitForSync(): Promise<void> {
    await Promise.all(this.informers().map((i) => i.synced));
  }

  async stopInformers(): Promise<void> {
    await Promise.all(this.informers().map((i) => i.stop()));
  }

  /** Starts reconciling: once the caches are warm, every Tenant is queued, then every resync period. */
  async startWorkers(): Promise<void> {
    if (this.controller) return;
    const controller = new Controller({
      name: CONTROLLER_NAME,
      reconcile: (key) => this.reconciler.reconcile(key),
      workers: this.options.workers,
      logger: this.options.logger,
      metrics: this.options.metrics,
      baseDelayMs: this.options.baseRetryDelayMs ?? 500,
      maxDelayMs: this.options.maxRetryDelayMs ?? 5 * 60_000,
    });
    this.controller = controller;
    await this.waitForSync();
    if (this.controller !== controller) return;
    controller.start();
    this.resyncAll();
    this.resyncTimer = setInterval(() => this.resyncAll(), this.options.resyncPeriodMs);
    this.resyncTimer.unref();
  }

  /** Stops taking work and waits for reconciles in flight. */
  async stopWorkers(): Promise<void> {
    clearInterval(this.resyncTimer);
    const controller = this.controller;
    this.controller = undefined;
    await controller?.stop();
  }

  /** Queues every known Tenant (the periodic resync). */
  resyncAll(): void {
    for (const tenant of this.tenants.list()) this.enqueue(tenant.metadata.name);
  }

  private enqueue(name: string): void {
    this.controller?.queue.add(name);
  }
}
