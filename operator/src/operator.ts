import type { Logger } from '@mindbot/logger';
import type { TenantProvisioner } from '@mindbot/provisioning';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { TenantController } from './controllers/tenant/tenant-controller.js';
import type { BillingStep } from './controllers/tenant/billing.js';
import type { OwnersStep } from './controllers/tenant/owners.js';
import type { WorkloadConfig } from './controllers/tenant/context.js';
import { hostname } from 'node:os';
import { EventRecorder } from './runtime/event-recorder.js';
import { KubeClient } from './runtime/kube-client.js';
import { LeaderElector } from './runtime/leader-election.js';
import { createControllerMetrics, type ControllerMetrics } from './runtime/metrics.js';

export const FIELD_MANAGER = 'mindbot-operator';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  provisioner: TenantProvisioner;
  /** Stripe Connect provisioning (`BillingReady`); omitted when the operator has no Stripe key. */
  billing?: BillingStep | undefined;
  owners?: OwnersStep | undefined;
  workload: WorkloadConfig & { knownRegions: readonly string[] };
  logger: Logger;
  registry: Registry;
  workers?: number;
  resyncPeriodMs?: number;
  baseRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** A Lease to elect one active replica on; `false` reconciles without election (one replica only). */
  leaderElection:
    | false
    | { namespace: string; name: string; identity?: string; leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number };
  /** Called when leadership is lost: by default the process should exit and restart clean. */
  onLostLeadership?: () => void;
}

/** The Tenant operator: informers on every replica, reconcile workers on the elected leader. */
export class Operator {
  readonly client: KubeClient;
  readonly metrics: ControllerMetrics;
  readonly controller: TenantController;
  private readonly elector: LeaderElector | undefined;
  private stopping = false;

  constructor(private readonly options: OperatorOptions) {
    this.metrics = createControllerMetrics(options.registry);
    this.client = new KubeClient(options.kubeConfig, { fieldManager: FIELD_MANAGER, metrics: this.metrics });
    this.controller = new TenantController({
      client: this.client,
      provisioner: options.provisioner,
      billing: options.billing,
      owners: options.owners,
      config: options.workload,
      logger: options.logger,
      metrics: this.metrics,
      events: new EventRecorder({
        client: this.client,
        controller: `platform.mindbot.ai/${FIELD_MANAGER}`,
        instance: hostname(),
        logger: options.logger,
      }),
      workers: options.workers ?? 4,
      resyncPeriodMs: options.resyncPeriodMs ?? 10 * 60_000,
      baseRetryDelayMs: options.baseRetryDelayMs,
      maxRetryDelayMs: options.maxRetryDelayMs,
    });
    const election = options.leaderElection;
    if (election) {
      this.elector = new LeaderElector({
        client: this.client,
        ...election,
        logger: options.logger,
        metrics: this.metrics,
        onStartedLeading: () => void this.controller.startWorkers(),
        onStoppedLeading: () => {
          void this.controller.stopWorkers();
          if (!this.stopping) options.onLostLeadership?.();
        },
      });
    }
  }

  get isLeader(): boolean {
    return this.elector ? this.elector.isLeader : this.controller.running;
  }

  get identity(): string | undefined {
    return this.elector?.identity;
  }

  /** Ready when every informer has listed once (a standby replica is ready too). */
  get ready(): boolean {
    return this.controller.hasSynced;
  }

  async start(): Promise<void> {
    await this.controller.startInformers();
    if (this.elector) this.elector.start();
    else {
      this.metrics.leaderStatus.set({ name: 'none' }, 1);
      await this.controller.startWorkers();
    }
  }

  /** Graceful: finish reconciles in flight, release the lease, stop watching. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.controller.stopWorkers();
    await this.elector?.stop({ release: true });
    await this.controller.stopInformers();
    this.client.close();
  }

  /** What a crash looks like to the others: everything stops at once, the lease is not released. */
  async kill(): Promise<void> {
    this.stopping = true;
    await this.elector?.stop({ release: false });
    void this.controller.stopWorkers();
    await this.controller.stopInformers();
    this.client.close();
  }
}
