import express from 'express';
import request from 'supertest';
import { captureLogger } from '@mindbot/testing';
import { addLogBindings, requestLogging } from './request-log.js';

function buildApp(level = 'debug') {
  const captured = captureLogger('request-log-test');
  captured.logger.level = level;
  const app = express();
  app.use(requestLogging({ logger: captured.logger, ignore: (req) => req.url === '/healthz' }));
  app.use((req, _res, next) => {
    addLogBindings(req, { tenantId: 'acme' });
    next();
  });
  app.get('/quiet', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/talks', (req, res) => {
    req.log.warn({ detail: 1 }, 'something odd');
    addLogBindings(req, { userId: 'usr_1' });
    req.log.info('after the user was known');
    res.json({ ok: true });
  });
  app.get('/replaced', (req, res) => {
    req.log = req.log.child({ sessionId: 'ses_1' });
    req.log.info('with the session');
    res.json({ ok: true });
  });
  app.get('/fails', (_req, res) => {
    res.status(503).json({ ok: false });
  });
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  return { app, lines: captured.lines };
}

describe('request logging', () => {
  it('writes one completion line per request with the request id, the tenant and the status, even when nothing else logged', async () => {
    const { app, lines } = buildApp();
    const res = await request(app).get('/quiet?token=secret').set('X-Request-Id', 'req-quiet-1');
    expect(res.headers['x-request-id']).toBe('req-quiet-1');
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        level: 'info',
        requestId: 'req-quiet-1',
        tenantId: 'acme',
        req: { id: 'req-quiet-1', method: 'GET', path: '/quiet', remoteAddress: expect.any(String) },
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('gives every line through req.log the request id and the fields added before it, and the completion line all of them', async () => {
    const { app, lines } = buildApp();
    await request(app).get('/talks').set('X-Request-Id', 'req-talks-1');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.msg, l.requestId, l.tenantId, l.userId])).toEqual([
      ['something odd', 'req-talks-1', 'acme', undefined],
      ['after the user was known', 'req-talks-1', 'acme', 'usr_1'],
      ['request completed', 'req-talks-1', 'acme', 'usr_1'],
    ]);
    expect(lines[0]).toMatchObject({ detail: 1, req: { path: '/talks' } });
  });

  it("keeps a logger assigned to req.log for that request's later lines and its completion line, and only for that request", async () => {
    const { app, lines } = buildApp();
    await Promise.all([
      request(app).get('/replaced').set('X-Request-Id', 'req-replaced-1'),
      request(app).get('/talks').set('X-Request-Id', 'req-talks-2'),
    ]);
    await new Promise((r) => setImmediate(r));
    const byRequest = (id: string) => lines.filter((l) => l.requestId === id).map((l) => [l.msg, l.sessionId]);
    expect(byRequest('req-replaced-1')).toEqual([
      ['with the session', 'ses_1'],
      ['request completed', 'ses_1'],
    ]);
    expect(byRequest('req-talks-2')).toEqual([
      ['something odd', undefined],
      ['after the user was known', undefined],
      ['request completed', undefined],
    ]);
  });

  it('logs a 5xx as an error, and at a level above info only errors', async () => {
    const { app, lines } = buildApp('warn');
    await request(app).get('/quiet');
    await request(app).get('/fails').set('X-Request-Id', 'req-fails-1');
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request failed',
        level: 'error',
        requestId: 'req-fails-1',
        tenantId: 'acme',
        res: { statusCode: 503 },
      }),
    ]);
  });

  it('does not log the requests it is told to ignore', async () => {
    const { app, lines } = buildApp();
    await request(app).get('/healthz');
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual([]);
  });
});
