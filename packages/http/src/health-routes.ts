import { Router } from 'express';
import type { Metrics } from '@mindbot/metrics';
import type { Lifecycle } from './lifecycle.js';

export type ReadinessChecks = Record<string, () => Promise<void>>;

const CHECK_TIMEOUT_MS = 2_000;

async function runCheck(check: () => Promise<void>): Promise<'ok' | 'failing'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch {
    return 'failing';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `/healthz` says the process is alive; `/readyz` that its dependencies answer and it is not draining.
 * Each readiness check also sets `mindbot_dependency_up`: the kubelet polls `/readyz` of every pod
 * (every 10 s in the chart), so the gauge stays current without a probe of its own.
 */
export function healthRoutes(checks: ReadinessChecks, lifecycle: Lifecycle, metrics: Metrics): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const names = Object.keys(checks);
    const results = await Promise.all(names.map((name) => runCheck(checks[name] ?? (() => Promise.resolve()))));
    const dependencies = Object.fromEntries(names.map((name, i) => [name, results[i]]));
    names.forEach((name, i) => metrics.dependencyUp.set({ dependency: name }, results[i] === 'ok' ? 1 : 0));
    const ready = !lifecycle.draining && results.every((r) => r === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : lifecycle.draining ? 'draining' : 'not ready', dependencies });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
