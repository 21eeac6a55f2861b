import request from 'supertest';
import { describeServiceContract, uniqueSlug } from '@mindbot/testing';
import { createApp } from './app.js';
import { startGatewayHarness, type GatewayHarness } from './testing/harness.js';

describeServiceContract('gateway', createApp);

describe('gateway: the short way of GET /v1/branding', () => {
  let h: GatewayHarness;
  let tenant: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    tenant = uniqueSlug('hot');
    await h.provision(tenant);
  });

  afterAll(async () => {
    await h.close();
  });

  /** Every header but those that differ between any two answers. */
  function stableHeaders(headers: Record<string, string>): Record<string, string> {
    const { date: _date, 'x-request-id': _id, ...rest } = headers;
    return Object.fromEntries(Object.entries(rest).filter(([name]) => !name.startsWith('ratelimit')));
  }

  it('answers with the same headers and body as the long way (a trailing slash takes it)', async () => {
    const origin = `http://${tenant}.localhost`;
    const short = await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`).set('Origin', origin);
    const long = await request(h.app).get('/v1/branding/').set('Host', `${tenant}.localhost`).set('Origin', origin);
    expect(short.status).toBe(200);
    expect(long.status).toBe(200);
    expect(short.text).toBe(long.text);
    expect(stableHeaders(short.headers)).toEqual(stableHeaders(long.headers));
    expect(short.headers['access-control-allow-origin']).toBe(origin);
    expect(short.headers['x-request-id']).toMatch(/^req_/);
    expect(short.headers['ratelimit-policy']).toBeDefined();
    expect(Object.keys(short.headers).sort()).toEqual(Object.keys(long.headers).sort());
    const head = await request(h.app).head('/v1/branding').set('Host', `${tenant}.localhost`);
    expect(head.status).toBe(200);
    expect(head.headers.etag).toBe(short.headers.etag);
  });

  it('refuses a non-JSON body and an unknown host as every other tenant route does, labelled unmatched', async () => {
    const typed = await request(h.app).get('/v1/branding').set('Host', `${tenant}.localhost`).set('Content-Type', 'text/plain').send('hi');
    expect(typed.status).toBe(415);
    expect(typed.headers['content-type']).toMatch(/^application\/problem\+json/);
    const unknown = await request(h.app).get('/v1/branding').set('Host', 'nobody-hot.localhost');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ status: 404, requestId: unknown.headers['x-request-id'] });
    const metrics = (await request(h.app).get('/metrics')).text;
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/v1\/branding",status_code="200",service="gateway"\} [1-9]/);
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="unmatched",status_code="404",service="gateway"\} [1-9]/);
    expect(metrics).toMatch(/http_requests_total\{method="GET",route="unmatched",status_code="415",service="gateway"\} [1-9]/);
  });
});
