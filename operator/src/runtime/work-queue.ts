import { ExponentialBackoff } from './backoff.js';
import type { ControllerMetrics } from './metrics.js';

export interface WorkQueueOptions {
  name: string;
  /** First retry delay after a failure; doubles per consecutive failure of the same key. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  metrics?: ControllerMetrics;
}

/**
 * A keyed, de-duplicating work queue with the semantics of client-go's: a key is queued at most
 * once; a key being processed is never handed to a second worker, and if it is added meanwhile it
 * is processed again once the first worker is done; failures are retried with per-key exponential
 * backoff until `forget`.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly startedAt = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly backoff: ExponentialBackoff;
  private shuttingDown = false;
  private readonly labels: { name: string; controller: string };

  constructor(private readonly options: WorkQueueOptions) {
    this.backoff = new ExponentialBackoff(options.baseDelayMs ?? 5, options.maxDelayMs ?? 1_000_000);
    this.labels = { name: options.name, controller: options.name };
  }

  get length(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.options.metrics?.queueAdds.inc(this.labels);
    this.dirty.add(key);
    this.addedAt.set(key, performance.now());
    if (this.processing.has(key)) return;
    this.push(key);
  }

  /** Adds the key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Re-adds a key that failed, after its backoff. */
  addRateLimited(key: string): number {
    const delay = this.backoff.next(key);
    this.options.metrics?.queueRetries.inc(this.labels);
    this.addAfter(key, delay);
    return delay;
  }

  /** The key succeeded: its backoff starts over. */
  forget(key: string): void {
    this.backoff.forget(key);
  }

  failuresOf(key: string): number {
    return this.backoff.failuresOf(key);
  }

  /** The next key to process, waiting for one; `undefined` once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    const started = this.startedAt.get(key);
    if (started !== undefined) this.options.metrics?.workDuration.observe(this.labels, (performance.now() - started) / 1000);
    this.startedAt.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }

  private push(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(this.take(key));
      return;
    }
    this.queue.push(key);
    this.options.metrics?.queueDepth.set(this.labels, this.queue.length);
  }

  private take(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    const added = this.addedAt.get(key);
    if (added !== undefined) this.options.metrics?.queueDuration.observe(this.labels, (performance.now() - added) / 1000);
    this.addedAt.delete(key);
    this.startedAt.set(key, performance.now());
    this.options.metrics?.queueDepth.set(this.labels, this.queue.length);
    return key;
  }
}
