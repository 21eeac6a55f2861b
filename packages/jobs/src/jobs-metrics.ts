import { Counter, Gauge, type Registry } from 'prom-client';

/** A queue's jobs waiting (queued: ready, deferred for a retry, or held behind an earlier one) and running now. */
export interface QueueCounts {
  queue: string;
  queued: number;
  active: number;
}

export interface JobMetrics {
  /** One per webhook delivery attempt, by outcome: succeeded, failed (retried later), disabled (the endpoint gave up). */
  webhookDeliveries: Counter<'outcome'>;
}

/**
 * The job component's series: each queue's backlog, read from pg-boss when scraped (the chart's
 * webhook-backlog alert watches the webhook queue's), and the webhook delivery attempts.
 */
export function registerJobMetrics(registry: Registry, queueCounts: () => Promise<QueueCounts[]>): JobMetrics {
  // One read serves both gauges of a scrape.
  let reading: Promise<QueueCounts[]> | undefined;
  const read = () => {
    reading ??= queueCounts().finally(() => {
      reading = undefined;
    });
    return reading;
  };
  const queueGauge = (name: string, help: string, pick: (counts: QueueCounts) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        this.reset();
        // Unreadable (pg-boss not started, Postgres away): the series go missing and absent() says so.
        const counts = await read().catch(() => []);
        for (const c of counts) this.set({ queue: c.queue }, pick(c));
      },
    });
  queueGauge(
    'mindbot_jobs_queued',
    'Jobs waiting in each queue: ready, waiting for a retry, or held behind an earlier job of the same key.',
    (c) => c.queued,
  );
  queueGauge('mindbot_jobs_active', 'Jobs being worked on in each queue, by every process.', (c) => c.active);
  return {
    webhookDeliveries: new Counter({
      name: 'mindbot_webhook_deliveries_total',
      help: 'Webhook delivery attempts to tenants’ endpoints, by outcome (succeeded, failed: retried later, disabled: the endpoint gave up).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
