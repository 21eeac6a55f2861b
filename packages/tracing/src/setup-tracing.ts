import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  service: string;
  exporter: 'none' | 'console' | 'otlp';
  otlpEndpoint?: string | undefined;
}

/**
 * Called from main.ts only. W3C trace context is always propagated (so traces stay joined across
 * services even when this process exports nothing); spans are exported only when asked.
 * Returns the function that flushes and stops the SDK at shutdown.
 */
export function setupTracing(options: TracingOptions): () => Promise<void> {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (options.exporter === 'none') return () => Promise.resolve();
  const exporter: SpanExporter =
    options.exporter === 'console'
      ? new ConsoleSpanExporter()
      : new OTLPTraceExporter(options.otlpEndpoint ? { url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` } : {});
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.service }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  return () => provider.shutdown();
}
