import { runService } from '@mindbot/service-runtime';
import { createApp } from './app.js';
import { loadSsoConfig } from './config.js';

await runService({ service: 'sso', loadConfig: () => loadSsoConfig(), createApp });
