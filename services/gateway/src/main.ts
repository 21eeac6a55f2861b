import { runService } from '@mindbot/service-runtime';
import { createApp } from './app.js';
import { loadGatewayConfig } from './config.js';
import { buildGatewayDeps, settingsFromConfig } from './deps.js';

await runService({
  service: 'gateway',
  loadConfig: () => loadGatewayConfig(),
  createApp: (deps, config) => {
    // The registry listener (ServiceDeps) connects in the background, retries by itself, and closes with the rest.
    return createApp(deps, buildGatewayDeps(deps, settingsFromConfig(config, deps.revokedSessions)));
  },
});
