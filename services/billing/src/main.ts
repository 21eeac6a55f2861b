import { runService } from '@mindbot/service-runtime';
import { createApp } from './app.js';
import { buildBillingDeps } from './deps.js';
import { loadBillingConfig } from './config.js';
import { startSweeper } from './domain/sweeper.js';
import { registerBillingMetrics } from './http/billing-metrics.js';

await runService({
  service: 'billing',
  loadConfig: () => loadBillingConfig(),
  createApp: (deps, config) => {
    const billing = buildBillingDeps(config, deps.revokedSessions);
    // Stops by itself when the server drains (the timer is unref'd and skips passes while draining).
    startSweeper({
      platform: deps.platform,
      tenants: deps.tenants,
      logger: deps.logger,
      metering: billing.metering,
      stripe: billing.stripe,
      livemode: billing.livemode,
      parkedEventRetentionMs: billing.parkedEventRetentionMs,
      intervalMs: config.METERING_SWEEP_INTERVAL_SECONDS * 1000,
      clock: billing.clock,
      isDraining: () => deps.lifecycle.draining,
      observer: registerBillingMetrics(deps.metrics.registry).sweeper,
    });
    return createApp(deps, billing);
  },
});
