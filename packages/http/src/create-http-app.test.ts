import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { z } from 'zod';
import { AppError, parseInput } from '@mindbot/errors';
import { createMetrics } from '@mindbot/metrics';
import { captureLogger } from '@mindbot/testing';
import { createHttpApp, securityHeaders } from './create-http-app.js';
import { createLifecycle } from './lifecycle.js';

function buildApp(readiness: Record<string, () => Promise<void>> = {}) {
  const captured = captureLogger('http-test');
  const lifecycle = createLifecycle();
  const app = createHttpApp({
    service: 'test',
    logger: captured.logger,
    metrics: createMetrics('test', { defaultMetrics: false }),
    lifecycle,
    readiness,
    bodyLimit: '1kb',
    routes: (r) => {
      r.post('/v1/things', (req, res) => {
        const body = parseInput(z.object({ name: z.string().min(1), count: z.int().positive() }), req.body);
        res.status(201).json(body);
      });
      r.get('/v1/things/:id', (req, res) => {
        if (req.params.id !== 'thing_1') throw new AppError('not_found', 'No such thing.');
        res.json({ id: req.params.id });
      });
      r.get('/v1/explode', () => {
        throw new Error('database password is hunter2');
      });
    },
  });
  return { app, lifecycle, lines: captured.lines };
}

describe('createHttpApp', () => {
  it('gives every response a request id, and keeps a well-formed one from the caller', async () => {
    const { app } = buildApp();
    const fresh = await request(app).get('/healthz');
    expect(fresh.headers['x-request-id']).toMatch(/^req_/);
    const kept = await request(app).get('/healthz').set('X-Request-Id', 'trace-abc-123');
    expect(kept.headers['x-request-id']).toBe('trace-abc-123');
    const replaced = await request(app).get('/healthz').set('X-Request-Id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^req_/);
  });

  it('sets security headers and hides the framework', async () => {
    const res = await request(buildApp().app).get('/healthz');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
  });

  it('answers unknown routes with a 404 problem document', async () => {
    const res = await request(buildApp().app).get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found', title: 'Not found', requestId: res.headers['x-request-id'] });
  });

  it('answers malformed JSON, oversized bodies and invalid fields with clear 4xx problems', async () => {
    const { app } = buildApp();
    const malformed = await request(app).post('/v1/things').set('Content-Type', 'application/json').send('{"name": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'malformed_json', detail: 'The request body is not valid JSON.' });

    const huge = await request(app)
      .post('/v1/things')
      .send({ name: 'x'.repeat(5000), count: 1 });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('payload_too_large');

    const invalid = await request(app).post('/v1/things').send({ name: '', count: 'three' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('validation_failed');
    expect((invalid.body as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['body.name', 'body.count']);

    const ok = await request(app).post('/v1/things').send({ name: 'widget', count: 2 });
    expect(ok.status).toBe(201);
  });

  it('turns unexpected errors into an opaque 500 and logs the details instead', async () => {
    const { app, lines } = buildApp();
    const res = await request(app).get('/v1/explode');
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
    expect(res.body).toMatchObject({ code: 'internal', detail: 'An unexpected error occurred.' });
    expect(lines.some((l) => l.msg === 'request failed' && JSON.stringify(l).includes('hunter2'))).toBe(true);
  });

  it('labels request metrics with the route template, not the raw path', async () => {
    const { app } = buildApp();
    await request(app).get('/v1/things/thing_1');
    await request(app).get('/v1/things/thing_2');
    await request(app).get('/random/path/123');
    const metrics = (await request(app).get('/metrics')).text;
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/v1\/things\/:id",status_code="200",service="test"\} 1/);
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/v1\/things\/:id",status_code="404",service="test"\} 1/);
    expect(metrics).toContain('route="unmatched"');
    expect(metrics).not.toContain('thing_2');
    expect(metrics).toContain('http_request_duration_seconds_bucket');
  });

  it('is ready only while every dependency answers and it is not draining', async () => {
    let redisUp = true;
    const { app, lifecycle } = buildApp({
      postgres: () => Promise.resolve(),
      redis: () => (redisUp ? Promise.resolve() : Promise.reject(new Error('down'))),
    });
    expect((await request(app).get('/readyz')).body).toEqual({ status: 'ready', dependencies: { postgres: 'ok', redis: 'ok' } });
    redisUp = false;
    const failing = await request(app).get('/readyz');
    expect(failing.status).toBe(503);
    expect(failing.body.dependencies).toEqual({ postgres: 'ok', redis: 'failing' });
    redisUp = true;
    lifecycle.draining = true;
    expect((await request(app).get('/readyz')).body.status).toBe('draining');
    expect((await request(app).get('/healthz')).status).toBe(200);
  });

  it('sends exactly the security headers helmet sends, with the same values, on every response', async () => {
    const byHelmet = express().use(helmet());
    const once = express().use(securityHeaders());
    for (const app of [byHelmet, once]) {
      app.get('/x', (_req, res) => {
        res.json({ ok: true });
      });
    }
    const expected = await request(byHelmet).get('/x');
    const actual = await request(once).get('/x');
    const { date: _expectedDate, ...expectedHeaders } = expected.headers;
    const { date: _actualDate, ...actualHeaders } = actual.headers;
    expect(actualHeaders).toEqual(expectedHeaders);
    expect(Object.keys(actual.headers)).toEqual(Object.keys(expected.headers));
    expect(actualHeaders['content-security-policy']).toMatch(/^default-src 'self';/);
    expect(actualHeaders['x-powered-by']).toBeUndefined();
    // From the service's own app too, on an error as on a success.
    const { app } = buildApp();
    for (const res of [await request(app).get('/v1/things/thing_1'), await request(app).get('/nowhere')]) {
      for (const name of Object.keys(expectedHeaders).filter(
        (n) => !['content-type', 'content-length', 'etag', 'x-powered-by'].includes(n),
      )) {
        expect([name, res.headers[name]]).toEqual([name, expectedHeaders[name]]);
      }
    }
  });

  it('answers health and metrics paths in any case and with a trailing slash, and nothing else there', async () => {
    const { app } = buildApp();
    for (const path of ['/healthz', '/HealthZ', '/healthz/', '/readyz/', '/METRICS']) {
      expect([path, (await request(app).get(path)).status]).toEqual([path, 200]);
    }
    expect((await request(app).get('/healthzz')).status).toBe(404);
    expect((await request(app).get('/healthz/x')).status).toBe(404);
    const options = await request(app).options('/healthz');
    expect(options.status).toBe(200);
    expect(options.headers.allow).toBe('GET, HEAD');
  });
});
