import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Express } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { parseInput } from '@mindbot/errors';
import { createMetrics } from '@mindbot/metrics';
import { captureLogger } from '@mindbot/testing';
import { createHttpApp } from './create-http-app.js';
import { createLifecycle } from './lifecycle.js';
import { hostOf } from './request-guards.js';

const things: { name: string }[] = [];

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
      r.post('/v1/things', (req, res) => {
        things.push(parseInput(z.object({ name: z.string().min(1) }), req.body));
        res.status(201).json({ stored: things.length });
      });
      // A route that would store whatever it is given, unvalidated: the body guard covers it too.
      r.post('/v1/anything', (req, res) => {
        res.status(201).json({ body: req.body as unknown });
      });
      r.post('/v1/logout', (_req, res) => {
        res.status(204).end();
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
    for (const head of [
      'GET /v1/things/1 HTTP/1.0\r\n\r\n',
      'GET /v1/things/1 HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n',
      'GET /v1/host HTTP/1.1\r\nHost: :8080\r\nConnection: close\r\n\r\n',
    ]) {
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

  it('answers 415 for a body that is not JSON, or has no type, and reads none of it', async () => {
    const app = buildApp();
    const before = things.length;
    const plain = await request(app).post('/v1/things').set('Content-Type', 'text/plain').send('{"name":"x"}');
    expect(plain.status).toBe(415);
    expect(plain.body).toMatchObject({
      code: 'unsupported_media_type',
      detail: 'The request body must be JSON (Content-Type: application/json).',
    });
    const untyped = await raw(
      app,
      'POST /v1/things HTTP/1.1\r\nHost: a.test\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{"name":"x"}',
    );
    expect(untyped.status).toBe(415);
    expect((await request(app).post('/v1/things').set('Content-Type', 'application/x-www-form-urlencoded').send('name=x')).status).toBe(
      415,
    );
    expect(things.length).toBe(before);
    // No body at all (Content-Length: 0, as fetch sends a bodyless POST) is no body of the wrong type.
    expect((await raw(app, 'POST /v1/logout HTTP/1.1\r\nHost: a.test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')).status).toBe(204);
    expect((await request(app).post('/v1/things').set('Content-Type', 'application/json; charset=utf-8').send('{"name":"x"}')).status).toBe(
      201,
    );
  });

  it('answers 400 for a body that is not encoded as its Content-Encoding says, 415 for an unknown encoding, and reads a real gzip body', async () => {
    const app = buildApp();
    for (const encoding of ['gzip', 'br', 'deflate']) {
      const res = await request(app)
        .post('/v1/things')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send('{"name":"x"}');
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'bad_request', detail: 'The request body is not encoded as its Content-Encoding says.' });
    }
    expect(
      (
        await request(app)
          .post('/v1/things')
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'x-bogus')
          .send('{"name":"x"}')
      ).status,
    ).toBe(415);
    const zipped = gzipSync('{"name":"zipped"}');
    const head = `POST /v1/things HTTP/1.1\r\nHost: a.test\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${zipped.length}\r\nConnection: close\r\n\r\n`;
    expect((await raw(app, Buffer.concat([Buffer.from(head), zipped]))).status).toBe(201);
  });

  it('answers a 400 naming the field for control characters or unpaired surrogates anywhere in a JSON body, whether the route validates it or not', async () => {
    const app = buildApp();
    const before = things.length;
    const nul = await request(app).post('/v1/things').set('Content-Type', 'application/json').send('{"name":"Ada\\u0000"}');
    expect(nul.status).toBe(400);
    expect(nul.body).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'body.name', message: expect.stringMatching(/control characters/) }],
    });
    expect(things.length).toBe(before);
    const unvalidated = await request(app)
      .post('/v1/anything')
      .send({ packages: [{ name: 'Gold\u0001' }], ['a\u0000']: 1 });
    expect(unvalidated.status).toBe(400);
    expect((unvalidated.body as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).toEqual([
      'body.a\\u0000',
      'body.packages.0.name',
    ]);
    const surrogate = await request(app)
      .post('/v1/anything')
      .set('Content-Type', 'application/json')
      .send('{"roleRules":[{"role":"\\udfff\\ud800"}]}');
    expect(surrogate.status).toBe(400);
    expect(surrogate.body.errors).toEqual([{ path: 'body.roleRules.0.role', message: expect.stringMatching(/unpaired surrogate/) }]);
    expect((await request(app).post('/v1/anything').send({ note: 'tab\tand\r\nnew lines, 😀' })).status).toBe(201);
  });

  it('answers 400 for control characters in the path or query, and for a path that is not valid percent-encoding', async () => {
    const app = buildApp();
    for (const path of ['/v1/things/a%00b', '/v1/things/x?q=%1B', '/v1/things/%7f', '/v1/things/%ZZ', '/v1/things/%C0']) {
      const res = await request(app).get(path);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('bad_request');
    }
    expect((await request(app).get('/v1/things/a%09b?q=%0A')).body).toEqual({ id: 'a\tb' });
  });

  it('answers odd methods with a 4xx (Node refuses unknown ones, express routes none of them)', async () => {
    const app = buildApp();
    for (const method of ['PROPFIND', 'TRACE', 'MKCOL', 'FOO', 'get']) {
      const res = await raw(app, `${method} /v1/things/1 HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n`);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});
