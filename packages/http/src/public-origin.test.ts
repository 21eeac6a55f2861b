import type { Express } from 'express';
import request from 'supertest';
import { createMetrics } from '@mindbot/metrics';
import { captureLogger } from '@mindbot/testing';
import { createHttpApp } from './create-http-app.js';
import { createLifecycle } from './lifecycle.js';
import { forwardedOriginOf, publicOriginOf, type PublicScheme } from './public-origin.js';

function buildApp(trustProxy: boolean | string, scheme?: PublicScheme): Express {
  return createHttpApp({
    service: 'test',
    logger: captureLogger('public-origin-test').logger,
    metrics: createMetrics('test', { defaultMetrics: false }),
    lifecycle: createLifecycle(),
    trustProxy,
    routes: (r) => {
      r.get('/v1/origin', (req, res) => {
        res.json({ origin: publicOriginOf(req, scheme === undefined ? {} : { scheme }), forwarded: forwardedOriginOf(req) ?? null });
      });
    },
  });
}

describe('publicOriginOf: the scheme, host and port a client reached the platform at', () => {
  const direct = buildApp(false);
  const behindProxy = buildApp('loopback');

  it('keeps the port of the Host header and drops only the default one', async () => {
    const local = await request(direct).get('/v1/origin').set('Host', 'initech.localhost:8080');
    expect(local.body).toEqual({ origin: 'http://initech.localhost:8080', forwarded: null });
    const lowerCased = await request(direct).get('/v1/origin').set('Host', 'Initech.LOCALHOST.:80');
    expect(lowerCased.body).toEqual({ origin: 'http://initech.localhost', forwarded: null });
  });

  it('ignores X-Forwarded-Host and X-Forwarded-Proto from a client TRUST_PROXY does not trust', async () => {
    const res = await request(direct)
      .get('/v1/origin')
      .set('Host', 'initech.localhost:8080')
      .set('X-Forwarded-Host', 'evil.example:4444')
      .set('X-Forwarded-Proto', 'https');
    expect(res.body).toEqual({ origin: 'http://initech.localhost:8080', forwarded: null });
  });

  it('takes scheme, host and port from a trusted proxy', async () => {
    const tls = await request(behindProxy)
      .get('/v1/origin')
      .set('Host', 'gateway.internal:8080')
      .set('X-Forwarded-Host', 'voice.acme.example')
      .set('X-Forwarded-Proto', 'https');
    expect(tls.body).toEqual({ origin: 'https://voice.acme.example', forwarded: 'https://voice.acme.example' });
    const port = await request(behindProxy)
      .get('/v1/origin')
      .set('Host', 'gateway.internal:8080')
      .set('X-Forwarded-Host', 'acme.localhost:8443')
      .set('X-Forwarded-Proto', 'https');
    expect(port.body).toEqual({ origin: 'https://acme.localhost:8443', forwarded: 'https://acme.localhost:8443' });
    const defaultPort = await request(behindProxy)
      .get('/v1/origin')
      .set('X-Forwarded-Host', 'acme.localhost:443')
      .set('X-Forwarded-Proto', 'https');
    expect(defaultPort.body).toMatchObject({ origin: 'https://acme.localhost' });
  });

  it('forwardedOriginOf answers nothing when a trusted hop forwarded no host: Host is then the service itself', async () => {
    const res = await request(behindProxy).get('/v1/origin').set('Host', 'billing.internal:8081');
    expect(res.body).toEqual({ origin: 'http://billing.internal:8081', forwarded: null });
  });

  it('makes the origin https when the public scheme is https, whatever the request says', async () => {
    const res = await request(buildApp(false, 'https')).get('/v1/origin').set('Host', 'acme.mindbot.ai');
    expect(res.body).toMatchObject({ origin: 'https://acme.mindbot.ai' });
    const http = await request(buildApp(false, 'http')).get('/v1/origin').set('Host', 'acme.localhost:8080');
    expect(http.body).toMatchObject({ origin: 'http://acme.localhost:8080' });
  });

  it.each(['acme.localhost:99999', 'acme.localhost:0', 'acme.localhost:80a', 'acme.localhost:8080:1', 'evil.example/x:80'])(
    'refuses the host %s with a 400',
    async (host) => {
      const res = await request(direct).get('/v1/origin').set('Host', host);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    },
  );

  it('refuses a malformed port in a trusted X-Forwarded-Host with a 400', async () => {
    const res = await request(behindProxy).get('/v1/origin').set('X-Forwarded-Host', 'acme.localhost:http');
    expect(res.status).toBe(400);
  });
});
