/**
 * Progress for long runs over many tenants: a line per tenant for small runs, and for large ones a
 * line every tenth of the way (plus every failure), so a 1,000-tenant run stays readable in CI logs.
 */
export function progressReporter(total: number, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {
  const started = performance.now();
  const step = total > 50 ? Math.ceil(total / 10) : 1;
  const width = String(total).length;
  return (done: number, line: string, failed = false) => {
    if (failed || total <= 50 || done % step === 0 || done === total) {
      const elapsed = ((performance.now() - started) / 1000).toFixed(1);
      write(`[${String(done).padStart(width)}/${total}] ${line}${total > 50 ? `  (${elapsed}s elapsed)` : ''}`);
    }
  };
}
