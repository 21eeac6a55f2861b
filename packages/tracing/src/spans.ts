import { SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';

export function getTracer(name = 'mindbot'): Tracer {
  return trace.getTracer(name);
}

/** Runs `fn` inside an active span that records failures; a no-op tracer when no SDK is set up. */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return getTracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
