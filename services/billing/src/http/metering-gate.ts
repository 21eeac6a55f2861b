/**
 * Queues metering work in the process instead of in the connection pool. Calls for one session
 * run one after another (a retried heartbeat would only wait for the row lock while holding a
 * pooled connection), and at most `permits` metering transactions run at once, so a burst of
 * heartbeats waits here rather than timing out waiting for a connection. Correctness never depends
 * on this gate (Postgres row locks do that, also across replicas); it only keeps bursts from failing.
 */
export class MeteringGate {
  private readonly tails = new Map<string, Promise<unknown>>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly permits: number) {}

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.withPermit(fn));
    this.tails.set(key, mine);
    try {
      return await mine;
    } finally {
      if (this.tails.get(key) === mine) this.tails.delete(key);
    }
  }

  private async withPermit<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.permits) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
