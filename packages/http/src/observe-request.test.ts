import request from 'supertest';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createMetrics } from '@mindbot/metrics';
import { captureLogger } from '@mindbot/testing';
import { withSpan } from '@mindbot/tracing';
import { createHttpApp } from './create-http-app.js';
import { createLifecycle } from './lifecycle.js';

describe('request tracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

  beforeAll(() => {
    provider.register();
  });
  afterAll(async () => {
    await provider.shutdown();
  });

  it("continues the caller's W3C trace and nests work done for the request under the server span", async () => {
    const app = createHttpApp({
      service: 'trace-test',
      logger: captureLogger().logger,
      metrics: createMetrics('trace-test', { defaultMetrics: false }),
      lifecycle: createLifecycle(),
      routes: (r) => {
        r.get('/v1/users/:id', async (_req, res) => {
          await withSpan('db.tenant_transaction', { 'db.system': 'postgresql' }, () => Promise.resolve());
          res.json({ ok: true });
        });
      },
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await request(app).get('/v1/users/usr_1').set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`).expect(200);

    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.name === 'GET /v1/users/:id');
    const db = spans.find((s) => s.name === 'db.tenant_transaction');
    expect(server?.spanContext().traceId).toBe(traceId);
    expect(server?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(server?.attributes['http.route']).toBe('/v1/users/:id');
    expect(server?.attributes['http.response.status_code']).toBe(200);
    expect(db?.spanContext().traceId).toBe(traceId);
    expect(db?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
  });
});
