import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';

// Real-browser tests (issue 13): Debian's chromium driven by playwright-core, never a downloaded
// browser. One browser per test file, a fresh context (its own storage, permissions and cookies)
// per test; fake camera and microphone, granted without a prompt.

const root = fileURLToPath(new URL('../../', import.meta.url));
export const SCREENSHOT_DIR = join(root, 'test-results', 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Tenant hosts (`<slug>.localhost`) and the embedding pages' hosts all live on loopback.
  '--host-resolver-rules=MAP *.localhost 127.0.0.1',
  // The agent speaks before anyone clicks in the page: let its audio play.
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Chromium with fake media devices. `refuseMicrophone`: without the fake permission UI, so a page's
 * request for the microphone is refused, as when a user blocks it.
 */
export async function launchBrowser(options: { refuseMicrophone?: boolean } = {}): Promise<Browser> {
  const args = options.refuseMicrophone ? CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream') : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

const TEST_LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#f59e0b"/><path d="M9 17l5 5 9-11" stroke="#fff" stroke-width="3" fill="none"/></svg>';

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Every console message of the page so far, as `type: text`. */
  console: string[];
  /** Uncaught errors thrown in the page. */
  pageErrors: string[];
}

/** A fresh context (nothing shared with another test) and one page in it, recording its console. */
export async function newTestPage(browser: Browser, options: { locale?: string; microphone?: boolean } = {}): Promise<TestPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: options.locale ?? 'en-US',
    permissions: options.microphone === false ? [] : ['microphone'],
  });
  // Test tenants' logos live at https://<slug>.example/logo.svg (testManifest): served here, as a real logo host would.
  await context.route(/^https:\/\/[a-z0-9-]+\.example\/logo\.svg$/, (route) =>
    route.fulfill({ status: 200, contentType: 'image/svg+xml', body: TEST_LOGO }),
  );
  const page = await context.newPage();
  const consoleLines: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (message: ConsoleMessage) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { context, page, console: consoleLines, pageErrors };
}

/** Saves a full-page PNG to test-results/screenshots/<name>.png (for review; git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/** The violations axe-core finds on the page as it is now (open shadow roots included) with impact serious or critical. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact ?? ''} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Fails the test when axe-core finds a serious or critical accessibility violation in the page's current state. */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

export interface StaticSite {
  /** The port every page host of this site is served on. */
  port: number;
  /** `http://<host>:<port>`: an origin of its own per host name (e.g. `shop.localhost`, `elsewhere.localhost`). */
  origin(host: string): string;
  /** Serves `html` at `path` (any host of this site). */
  page(path: string, html: string): void;
  close(): Promise<void>;
}

/**
 * A tiny static server on a port of its own: the customer's website that embeds the widget, on
 * another origin than the tenant's. Host names under `.localhost` give distinct origins on one port.
 */
export async function startStaticSite(): Promise<StaticSite> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site.localhost').pathname;
    const html = pages.get(path);
    if (html === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: (host) => `http://${host}:${port}`,
    page: (path, html) => void pages.set(path, html),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A customer's web page: a heading and text of its own (styled to tempt a leaky widget), then the widget's script tag(s). */
export function embeddingPage(title: string, scripts: string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
  /* The host page's own CSS, aggressive on purpose: the widget's shadow root must not care. */
  body { font-family: Georgia, serif; margin: 2rem; background: #fff; color: #222; }
  button { background: #ff0 !important; color: #000 !important; font-size: 30px; }
</style>
</head>
<body>
<main>
<h1>${title}</h1>
<p>A customer's website with the MindBot widget embedded.</p>
</main>
${scripts.join('\n')}
</body>
</html>
`;
}

/** The widget's script tag for a tenant host, with the contract's optional attributes. */
export function widgetScript(tenantOrigin: string, attributes: Record<string, string> = {}): string {
  const extra = Object.entries(attributes)
    .map(([name, value]) => ` data-${name}="${value}"`)
    .join('');
  return `<script src="${tenantOrigin}/widget.js" async${extra}></script>`;
}

/** Relative luminance and contrast ratio (WCAG 2), for checking a rendered colour. */
export function parseRgb(color: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color.trim());
  if (hex) return [parseInt(hex[1] ?? '0', 16), parseInt(hex[2] ?? '0', 16), parseInt(hex[3] ?? '0', 16)];
  const rgb = /^rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)/.exec(color.trim());
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  throw new Error(`not a colour: ${color}`);
}

function luminance([r, g, b]: [number, number, number]): number {
  const channel = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrastRatio(a: string, b: string): number {
  const [la, lb] = [luminance(parseRgb(a)), luminance(parseRgb(b))].sort((x, y) => y - x) as [number, number];
  return (la + 0.05) / (lb + 0.05);
}

/** What a test file started, stopped in reverse order after it (whatever of it did start). */
export class Teardown {
  private readonly steps: (() => Promise<void>)[] = [];

  /** Registers what stops `started` and returns it. */
  add<T>(started: T, stop: (value: T) => Promise<void>): T {
    this.steps.push(() => stop(started));
    return started;
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

/** Resolves with the value once `probe` gives one, polling; else fails naming what it waited for. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
