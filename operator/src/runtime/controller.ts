import type { Logger } from '@mindbot/logger';
import type { ControllerMetrics } from './metrics.js';
import { WorkQueue } from './work-queue.js';

export interface ReconcileResult {
  /** Reconcile again after this long even if nothing changes (e.g. waiting on something outside Kubernetes). */
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | undefined>;

export interface ControllerOptions {
  name: string;
  reconcile: Reconciler;
  /** Workers reconciling different keys at once; one key is never reconciled twice at once. */
  workers: number;
  logger: Logger;
  metrics?: ControllerMetrics;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** A work queue drained by a bounded number of workers running one reconcile function. */
export class Controller {
  readonly queue: WorkQueue;
  private running: Promise<void>[] = [];
  private active = 0;

  constructor(private readonly options: ControllerOptions) {
    this.queue = new WorkQueue({
      name: options.name,
      baseDelayMs: options.baseDelayMs,
      maxDelayMs: options.maxDelayMs,
      metrics: options.metrics,
    });
    options.metrics?.maxConcurrentReconciles.set({ controller: options.name }, options.workers);
    options.metrics?.activeWorkers.set({ controller: options.name }, 0);
  }

  start(): void {
    if (this.running.length > 0) return;
    this.running = Array.from({ length: this.options.workers }, () => this.worker());
  }

  /** Stops taking work and waits for the reconciles in flight to finish. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.running);
    this.running = [];
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.process(key);
      this.queue.done(key);
    }
  }

  private async process(key: string): Promise<void> {
    const { metrics, name } = this.options;
    const labels = { controller: name };
    this.active++;
    metrics?.activeWorkers.set(labels, this.active);
    const started = performance.now();
    try {
      const result = await this.options.reconcile(key);
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, result.requeueAfterMs);
        metrics?.reconcileTotal.inc({ ...labels, result: 'requeue_after' });
      } else {
        metrics?.reconcileTotal.inc({ ...labels, result: 'success' });
      }
    } catch (error) {
      const retryInMs = this.queue.addRateLimited(key);
      metrics?.reconcileTotal.inc({ ...labels, result: 'error' });
      metrics?.reconcileErrors.inc(labels);
      this.options.logger.warn(
        { controller: name, key, err: error, retryInMs, failures: this.queue.failuresOf(key) },
        'reconcile failed: retrying with backoff',
      );
    } finally {
      metrics?.reconcileTime.observe(labels, (performance.now() - started) / 1000);
      this.active--;
      metrics?.activeWorkers.set(labels, this.active);
    }
  }
}
