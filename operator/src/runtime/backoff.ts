/** Per-key exponential backoff: base·2^failures, capped (controller-runtime: 5 ms … 1000 s). */
export class ExponentialBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    readonly baseMs: number,
    readonly maxMs: number,
  ) {}

  /** The delay before the next attempt, counting this failure. */
  next(key: string): number {
    const count = this.failures.get(key) ?? 0;
    this.failures.set(key, count + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(count, 40));
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}
