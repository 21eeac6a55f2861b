import express from 'express';
import { captureLogger } from '@mindbot/testing';
import { createLifecycle } from './lifecycle.js';
import { startServer } from './start-server.js';

describe('startServer', () => {
  it('drains: finishes in-flight requests, refuses new connections, then runs the close hooks in order', async () => {
    const app = express();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    app.get('/slow', async (_req, res) => {
      await gate;
      res.json({ finished: true });
    });
    const lifecycle = createLifecycle();
    const order: string[] = [];
    const running = await startServer(app, {
      port: 0,
      logger: captureLogger().logger,
      lifecycle,
      onClosed: [() => Promise.resolve(void order.push('pool closed')), () => Promise.resolve(void order.push('redis closed'))],
    });
    const inFlight = fetch(`${running.url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 100));

    const closing = running.close();
    expect(lifecycle.draining).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`${running.url}/slow`)).rejects.toThrow();
    expect(order).toEqual([]);

    release();
    await expect(inFlight).resolves.toEqual({ status: 200, body: { finished: true } });
    await closing;
    expect(order).toEqual(['pool closed', 'redis closed']);
  });

  it('cuts connections that outlive the shutdown timeout', async () => {
    const app = express();
    app.get('/forever', () => undefined);
    const running = await startServer(app, {
      port: 0,
      logger: captureLogger().logger,
      lifecycle: createLifecycle(),
      shutdownTimeoutMs: 200,
    });
    const hanging = fetch(`${running.url}/forever`).catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(String(await hanging)).toMatch(/fetch failed/);
  });
});
