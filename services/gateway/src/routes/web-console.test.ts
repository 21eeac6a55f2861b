import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { uniqueSlug } from '@mindbot/testing';
import { createApp } from '../app.js';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

const INDEX = '<!doctype html><html lang="en"><head><title>Console</title></head><body><div id="root"></div></body></html>';
const ENTRY = 'console.log("console");';

describe('gateway: the console (GET /console, /console/*)', () => {
  let h: GatewayHarness;
  let scratch: string;
  let app: Express;
  let host: string;

  /** The gateway serving a console build from `dist` (the harness's deps, another build directory). */
  const appServing = (dist: string): Express => createApp(h.deps, { ...h.gateway, web: { ...h.gateway.web, consoleDistDir: dist } });

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mindbot-console-dist-'));
    const dist = join(scratch, 'dist');
    await mkdir(join(dist, 'assets'), { recursive: true });
    await writeFile(join(dist, 'index.html'), INDEX);
    await writeFile(join(dist, 'assets', 'index-Bx9_k2Lm.js'), ENTRY);
    await writeFile(join(dist, 'assets', 'index-Bx9_k2Lm.css'), 'body{}');
    await writeFile(join(dist, 'assets', '.hidden-Ab12cd34.js'), 'hidden');
    await writeFile(join(dist, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
    await writeFile(join(scratch, 'secret.txt'), 'outside the build');
    h = await startGatewayHarness();
    app = appServing(dist);
    const tenant = uniqueSlug('console');
    host = `${tenant}.localhost`;
    await h.provision(tenant);
  });

  afterAll(async () => {
    await h.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('answers the console’s page at /console and at every page path under it, revalidated each time, under its own CSP', async () => {
    for (const path of [
      '/console',
      '/console/',
      '/console/packages',
      '/console/users/usr_1/roles',
      '/console/accept-invite?token=abc',
      '/console/index.html',
    ]) {
      const res = await request(app).get(path).set('Host', host);
      expect({ path, status: res.status, type: res.headers['content-type'], cache: res.headers['cache-control'] }).toEqual({
        path,
        status: 200,
        type: 'text/html; charset=utf-8',
        cache: 'no-cache',
      });
      expect(res.text).toBe(INDEX);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("connect-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).not.toContain(',');
    }
    const again = await request(app).get('/console/packages').set('Host', host);
    const revalidated = await request(app).get('/console/packages').set('Host', host).set('If-None-Match', String(again.headers.etag));
    expect(revalidated.status).toBe(304);
  });

  it('serves the built assets, hashed names immutable for a year, other files revalidated', async () => {
    const js = await request(app).get('/console/assets/index-Bx9_k2Lm.js').set('Host', host);
    expect([js.status, js.text, js.headers['content-type'], js.headers['cache-control']]).toEqual([
      200,
      ENTRY,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
    ]);
    const css = await request(app).get('/console/assets/index-Bx9_k2Lm.css').set('Host', host);
    expect([css.status, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    const robots = await request(app).get('/console/robots.txt').set('Host', host);
    expect([robots.status, robots.headers['cache-control']]).toEqual([200, 'no-cache']);
  });

  it('answers a missing asset with a 404 problem (never the page in its place), and nothing outside the build for any path', async () => {
    for (const path of [
      '/console/assets/index-missing0.js',
      '/console/assets/.hidden-Ab12cd34.js',
      '/console/assets/..%2f..%2fsecret.txt',
      '/console/assets/%2e%2e/%2e%2e/secret.txt',
    ]) {
      const res = await request(app).get(path).set('Host', host);
      expect({ path, status: res.status, type: res.headers['content-type'] }).toEqual({
        path,
        status: 404,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(res.text).not.toContain('outside the build');
    }
    for (const path of ['/console/..%2fsecret.txt', '/console/%2e%2e/secret.txt', '/console/x/..%5c..%5csecret.txt']) {
      const res = await request(app).get(path).set('Host', host);
      expect(res.text).not.toContain('outside the build');
    }
  });

  it('answers a host without a tenant with a 404 problem', async () => {
    for (const path of ['/console', '/console/packages', '/console/assets/index-Bx9_k2Lm.js']) {
      const res = await request(app)
        .get(path)
        .set('Host', `${uniqueSlug('none')}.localhost`);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });

  it('answers 503 naming the build command while the console is not built', async () => {
    const unbuilt = appServing(join(scratch, 'nothing-here'));
    for (const path of ['/console', '/console/packages', '/console/assets/index-Bx9_k2Lm.js']) {
      const res = await request(unbuilt).get(path).set('Host', host);
      expect({ path, status: res.status, reason: res.body.reason, detail: res.body.detail }).toEqual({
        path,
        status: 503,
        reason: 'console_not_built',
        detail: 'The console is not built: run npm run build:web.',
      });
    }
  });
});
