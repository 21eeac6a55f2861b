import { runService } from '@mindbot/service-runtime';
import { createApp } from './app.js';
import { loadBillingConfig } from './config.js';

await runService({ service: 'billing', loadConfig: () => loadBillingConfig(), createApp });
