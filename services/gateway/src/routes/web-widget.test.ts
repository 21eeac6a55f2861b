import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { uniqueSlug } from '@mindbot/testing';
import { startGatewayHarness, type GatewayHarness } from '../testing/harness.js';

const LOADER = 'console.log("loader");';
const APP = 'export const app = 1;';

describe('gateway: the hosted page and the widget’s files (GET /, /widget.js, /widget/*)', () => {
  let h: GatewayHarness;
  let scratch: string;
  let dist: string;
  let tenant: string;
  let host: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'mindbot-widget-dist-'));
    dist = join(scratch, 'dist');
    await mkdir(join(dist, 'widget'), { recursive: true });
    await writeFile(join(dist, 'widget.js'), LOADER);
    await writeFile(join(dist, 'widget', 'app-Ab12_cd-.js'), APP);
    await writeFile(join(dist, 'widget', 'app-Ab12_cd-.css'), '.x{}');
    await writeFile(join(dist, 'widget', 'notes.txt'), 'unhashed');
    await writeFile(join(dist, 'widget', '.hidden-Ab12cd34.js'), 'hidden');
    await writeFile(join(dist, 'manifest.json'), '{}');
    await writeFile(join(scratch, 'secret.txt'), 'outside the build');
    h = await startGatewayHarness({ widgetDistDir: dist, livekit: { url: 'wss://livekit.example:7443' } });
    tenant = uniqueSlug('page');
    host = `${tenant}.localhost`;
    await h.provision(tenant, (m) => {
      m.spec.displayName = `<img src=x onerror=alert(1)> "Acme" & Sons`;
      m.spec.branding.primaryColor = '#0a5c36';
      m.spec.branding.accentColor = '#f4b400';
      m.spec.agent.language = 'de';
    });
  });

  afterAll(async () => {
    await h.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it('serves the hosted page: the tenant’s name (escaped) as title, its logo as favicon, its colours and language, the widget inline, no platform brand', async () => {
    const res = await request(h.app).get('/').set('Host', host).set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.text).toContain('<html lang="de">');
    expect(res.text).toContain('<title>&lt;img src=x onerror=alert(1)&gt; &quot;Acme&quot; &amp; Sons</title>');
    expect(res.text).not.toContain('<img src=x');
    expect(res.text).toContain(`<link rel="icon" href="https://${tenant}.example/logo.svg">`);
    expect(res.text).toContain('--brand-primary: #0a5c36; --brand-accent: #f4b400;');
    expect(res.text).toContain('<script src="/widget.js" data-mode="inline" data-container="#widget" async></script>');
    expect(res.text).not.toMatch(/mindbot/i);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self' wss://livekit.example:7443 https://livekit.example:7443;");
    expect(csp).toContain(`img-src 'self' data: blob: https://${tenant}.example;`);
    // helmet's API policy is replaced, not doubled.
    expect(res.headers['content-security-policy']).not.toContain(',');
  });

  it('serves the loader with a short public cache, as JavaScript any page may load, and 304 when unchanged', async () => {
    const res = await request(h.app).get('/widget.js').set('Host', host);
    expect(res.status).toBe(200);
    expect(res.text).toBe(LOADER);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const again = await request(h.app).get('/widget.js').set('Host', host).set('If-None-Match', String(res.headers.etag));
    expect(again.status).toBe(304);
  });

  it('serves the app’s files, hashed names immutable for a year, others for five minutes', async () => {
    const app = await request(h.app).get('/widget/app-Ab12_cd-.js').set('Host', host).set('Origin', 'https://customer.example');
    expect(app.status).toBe(200);
    expect(app.text).toBe(APP);
    expect(app.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(app.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(app.headers['access-control-allow-origin']).toBe('*');
    const css = await request(h.app).get('/widget/app-Ab12_cd-.css').set('Host', host);
    expect([css.status, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    const plain = await request(h.app).get('/widget/notes.txt').set('Host', host);
    expect([plain.status, plain.headers['cache-control']]).toEqual([200, 'public, max-age=300']);
  });

  it('answers 404 problems for unknown files, dot files and every way out of the build', async () => {
    for (const path of [
      '/widget/nothing.js',
      '/widget/.hidden-Ab12cd34.js',
      '/widget/../widget.js',
      '/widget/..%2f..%2fsecret.txt',
      '/widget/%2e%2e/%2e%2e/secret.txt',
      '/widget/..%5c..%5csecret.txt',
      '/widget/x/../../manifest.json',
      '/widget/',
      '/widget',
    ]) {
      const res = await request(h.app).get(path).set('Host', host);
      expect({ path, status: res.status, type: res.headers['content-type'] }).toEqual({
        path,
        status: 404,
        type: expect.stringMatching(/^application\/problem\+json/),
      });
      expect(res.text).not.toContain('outside the build');
    }
  });

  it('refuses an embedding page whose origin the tenant does not allow, as a browser sees it: no CORS headers, a 403 preflight', async () => {
    // The loader itself may be loaded by any page; the API it calls answers only the tenant's origins.
    const branding = await request(h.app).get('/v1/branding').set('Host', host).set('Origin', 'https://elsewhere.example');
    expect(branding.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await request(h.app)
      .options('/v1/auth/login')
      .set('Host', host)
      .set('Origin', 'https://elsewhere.example')
      .set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.body).toMatchObject({ reason: 'origin_not_allowed', origin: 'https://elsewhere.example' });
  });

  it('lets the websites in the tenant’s embedOrigins call its API from the browser, and no others', async () => {
    const shop = 'https://shop.customer.example';
    const embedding = uniqueSlug('embed');
    await h.provision(embedding, (m) => {
      m.spec.embedOrigins = [shop, 'http://shop.localhost:4173'];
    });
    const allowed = await request(h.app).get('/v1/branding').set('Host', `${embedding}.localhost`).set('Origin', shop);
    expect([allowed.status, allowed.headers['access-control-allow-origin']]).toEqual([200, shop]);
    const local = await request(h.app)
      .options('/v1/auth/login')
      .set('Host', `${embedding}.localhost`)
      .set('Origin', 'http://shop.localhost:4173')
      .set('Access-Control-Request-Method', 'POST');
    expect([local.status, local.headers['access-control-allow-origin']]).toEqual([204, 'http://shop.localhost:4173']);
    // Another tenant's embedding sites are not this tenant's.
    const other = await request(h.app).get('/v1/branding').set('Host', host).set('Origin', shop);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a host without a tenant with a 404 problem', async () => {
    for (const path of ['/', '/widget.js', '/widget/app-Ab12_cd-.js']) {
      const res = await request(h.app)
        .get(path)
        .set('Host', `${uniqueSlug('none')}.localhost`);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
  });

  it('answers 503 saying to build the widget while the build is missing', async () => {
    await rename(dist, `${dist}.away`);
    try {
      for (const path of ['/', '/widget.js', '/widget/app-Ab12_cd-.js']) {
        const res = await request(h.app).get(path).set('Host', host);
        expect({ path, status: res.status }).toEqual({ path, status: 503 });
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect((res.body as { detail?: string }).detail).toBe('The widget is not built: run npm run build:web.');
      }
    } finally {
      await rename(`${dist}.away`, dist);
    }
  });
});
