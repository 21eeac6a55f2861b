export { getTracer, withSpan } from './spans.js';
export { setupTracing, type TracingOptions } from './setup-tracing.js';
