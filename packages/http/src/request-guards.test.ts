import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Express } from 'express';
import request from 'supertest';
import { createMetrics } from '@mindbot/metrics';
import { captureLogger } from '@mindbot/testing';
import { createHttpApp } from './create-http-app.js';
import { createLifecycle } from './lifecycle.js';
import { hostOf } from './request-guards.js';

function buildApp(): Express {
  return createHttpApp({
    service: 'test',
    logger: captureLogger('guards-test').logger,
    metrics: createMetrics('test', { defaultMetrics: false }),
    lifecycle: createLifecycle(),
    routes: (r) => {
      r.get('/v1/host', (req, res) => {
        res.json({ host: hostOf(req) });
      });
      r.get('/v1/things/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
    },
  });
}

/** Sends the bytes as they are (no client fills in a Host) and answers the status line and body. */
async function raw(app: Express, bytes: string | Buffer): Promise<{ status: number; body: string }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () => socket.write(bytes));
      let out = '';
      socket.on('data', (chunk: Buffer) => (out += chunk.toString()));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('createHttpApp: a request malformed at the transport gets a 4xx problem, never a 500', () => {
  it('refuses a request that names no host (HTTP/1.0 without Host, an empty Host) with a 400 problem, and keeps health checks open', async () => {
    const app = buildApp();
    for (const head of ['GET /v1/things/1 HTTP/1.0\r\n\r\n', 'GET /v1/things/1 HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n', 'GET /v1/host HTTP/1.1\r\nHost: :8080\r\nConnection: close\r\n\r\n']) {
      const res = await raw(app, head);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'bad_request', detail: 'The request must name its host in the Host header.' });
    }
    expect((await raw(app, 'GET /healthz HTTP/1.0\r\n\r\n')).status).toBe(200);
  });

  it('resolves the host a tenant route names, lower-cased without a trailing dot, and refuses one that is not a DNS name', async () => {
    const app = buildApp();
    expect((await request(app).get('/v1/host').set('Host', 'Acme.Example.:8443')).body).toEqual({ host: 'acme.example' });
    for (const host of ['a b', '[::1]', 'bad_host!', 'x'.repeat(300)]) {
      const res = await request(app).get('/v1/host').set('Host', host);
      expect(res.status).toBe(400);
      expect(res.body.detail).toBe('The Host header does not name a valid host.');
    }
  });
});
