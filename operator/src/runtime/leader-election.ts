import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from '@mindbot/logger';
import { isConflict, isNotFound, type KubeClient } from './kube-client.js';
import { LEASE, resourcePath } from './resources.js';
import type { ControllerMetrics } from './metrics.js';

export interface LeaderElectionOptions {
  client: KubeClient;
  namespace: string;
  name: string;
  identity?: string;
  /** How long a lease is valid after its last renewal (controller-runtime: 15 s). */
  leaseDurationMs?: number;
  /** A leader that cannot renew within this gives up leadership (10 s). */
  renewDeadlineMs?: number;
  /** How often candidates try to acquire and the leader renews (2 s). */
  retryPeriodMs?: number;
  logger: Logger;
  metrics?: ControllerMetrics;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

interface LeaseObject {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string | null;
    leaseDurationSeconds?: number;
    acquireTime?: string | null;
    renewTime?: string | null;
    leaseTransitions?: number;
  };
}

const microTime = (date: Date) => date.toISOString().replace('Z', '000Z');

/**
 * Leader election on a coordination.k8s.io Lease, as client-go does it: the holder renews every
 * retry period; others take over when the lease has not been renewed for its duration, measured on
 * their own clock from when they last saw it change (so clocks need not agree).
 */
export class LeaderElector {
  readonly identity: string;
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private stopped = true;
  private lastRenewed = 0;
  private observed: { record: string; at: number } | undefined;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly path: string;

  constructor(private readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? `${hostname()}_${randomBytes(4).toString('hex')}`;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.path = resourcePath(LEASE, options.namespace, options.name);
    options.metrics?.leaderStatus.set({ name: options.name }, 0);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.tick();
  }

  /** Stops campaigning; a leader releases the lease so a successor need not wait for it to expire. */
  async stop(options: { release: boolean } = { release: true }): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const wasLeading = this.leading;
    this.setLeading(false);
    if (wasLeading && options.release) {
      try {
        const lease = await this.options.client.get<LeaseObject>(this.path);
        if (lease?.spec.holderIdentity === this.identity) {
          await this.options.client.request('PUT', this.path, {
            ...lease,
            spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: microTime(new Date()), acquireTime: null },
          });
        }
      } catch (error) {
        this.options.logger.warn({ err: error }, 'could not release the leader lease');
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let acquired = false;
    try {
      acquired = await this.tryAcquireOrRenew();
    } catch (error) {
      this.options.logger.warn({ err: error, lease: this.options.name }, 'leader election request failed');
    }
    // stop() may have run while the request was in flight.
    if (this.isStopped()) return;
    if (acquired) {
      this.lastRenewed = Date.now();
      if (!this.leading) this.setLeading(true);
    } else if (this.leading && Date.now() - this.lastRenewed > this.renewDeadlineMs) {
      this.options.logger.error({ lease: this.options.name }, 'failed to renew the leader lease within the renew deadline: stepping down');
      this.setLeading(false);
    }
    this.timer = setTimeout(() => void this.tick(), this.retryPeriodMs);
    this.timer.unref();
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.options.metrics?.leaderStatus.set({ name: this.options.name }, leading ? 1 : 0);
    if (leading) {
      this.options.logger.info({ lease: this.options.name, identity: this.identity }, 'became leader');
      this.options.onStartedLeading();
    } else {
      this.options.logger.info({ lease: this.options.name, identity: this.identity }, 'stopped leading');
      this.options.onStoppedLeading();
    }
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new Date();
    const spec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      renewTime: microTime(now),
    };
    const lease = await this.options.client.get<LeaseObject>(this.path);
    if (!lease) {
      try {
        await this.options.client.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${this.options.namespace}/leases`, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.options.name, namespace: this.options.namespace },
          spec: { ...spec, acquireTime: microTime(now), leaseTransitions: 0 },
        });
        return true;
      } catch (error) {
        if (isConflict(error) || (error instanceof Error && /already exists/.test(error.message))) return false;
        throw error;
      }
    }
    const record = JSON.stringify(lease.spec);
    if (this.observed?.record !== record) this.observed = { record, at: Date.now() };
    const holder = lease.spec.holderIdentity ?? '';
    const mine = holder === this.identity;
    const durationMs = (lease.spec.leaseDurationSeconds ?? 0) * 1000;
    if (!mine && holder !== '' && this.observed.at + durationMs > Date.now()) return false;
    const next: LeaseObject = {
      ...lease,
      spec: {
        ...lease.spec,
        ...spec,
        acquireTime: mine ? (lease.spec.acquireTime ?? microTime(now)) : microTime(now),
        leaseTransitions: mine ? (lease.spec.leaseTransitions ?? 0) : (lease.spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      await this.options.client.request('PUT', this.path, next);
      this.observed = { record: JSON.stringify(next.spec), at: Date.now() };
      return true;
    } catch (error) {
      if (isConflict(error) || isNotFound(error)) return false;
      throw error;
    }
  }
}
