import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { Request, RequestHandler, Response } from 'express';
import type { Metrics } from '@mindbot/metrics';

/** The route template (`/v1/tenants/:id`), never the raw path, so metrics keep a bounded cardinality. */
export function routeTemplate(req: Request): string {
  const route: unknown = req.route;
  if (typeof route === 'object' && route !== null && 'path' in route && typeof route.path === 'string') {
    return `${req.baseUrl}${route.path}`;
  }
  return 'unmatched';
}

/** A server span joined to the caller's W3C trace context, plus RED metrics, for every request. */
export function observeRequest(metrics: Metrics, service: string): RequestHandler {
  const begin = requestObservation(metrics, service);
  return (req, res, next) => {
    const { span, parent } = begin(req, res);
    context.with(trace.setSpan(parent, span), () => next());
  };
}

/**
 * What {@link observeRequest} does for each request, for an answer written without the middleware
 * chain (`readyAnswers` in createHttpApp), which names its `route` itself: no router matched it.
 */
export function requestObservation(
  metrics: Metrics,
  service: string,
): (req: Request, res: Response, route?: string) => { span: Span; parent: Context } {
  const tracer = trace.getTracer(service);
  return (req, res, route) => {
    const started = process.hrtime.bigint();
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(
      `${req.method} request`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
      parent,
    );
    res.on('finish', () => {
      const template = route ?? routeTemplate(req);
      const labels = { method: req.method, route: template, status_code: String(res.statusCode) };
      metrics.httpRequestsTotal.inc(labels);
      metrics.httpRequestDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      span.updateName(`${req.method} ${template}`);
      span.setAttributes({ 'http.route': template, 'http.response.status_code': res.statusCode });
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    return { span, parent };
  };
}
