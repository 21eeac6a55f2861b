import { runService } from '@mindbot/service-runtime';
import { createApp } from './app.js';
import { loadGatewayConfig } from './config.js';
import { buildGatewayDeps, settingsFromConfig } from './deps.js';

await runService({
  service: 'gateway',
  loadConfig: () => loadGatewayConfig(),
  createApp: (deps, config) => {
    // The registry listener connects in the background (it retries by itself) and closes with the rest.
    const gateway = buildGatewayDeps(deps, settingsFromConfig(config, deps.revokedSessions));
    const closeShared = deps.close.bind(deps);
    deps.close = async () => {
      await gateway.close();
      await closeShared();
    };
    return createApp(deps, gateway);
  },
});
