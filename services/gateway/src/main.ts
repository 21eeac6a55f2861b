import { runService } from '@mindbot/service-runtime';
import { createApp } from './app.js';
import { loadGatewayConfig } from './config.js';

await runService({ service: 'gateway', loadConfig: () => loadGatewayConfig(), createApp });
