import { runService } from '@mindbot/service-runtime';
import { createApp } from './app.js';
import { loadGatewayConfig } from './config.js';
import { createMailer } from '@mindbot/mailer';
import { buildGatewayDeps, mailOriginOf, settingsFromConfig, startJobsComponent } from './deps.js';

await runService({
  service: 'gateway',
  loadConfig: () => loadGatewayConfig(),
  createApp: (deps, config) => {
    // The registry listener (ServiceDeps) connects in the background, retries by itself, and closes with the rest.
    const gateway = buildGatewayDeps(deps, settingsFromConfig(config, deps.revokedSessions));
    // JOBS_WORKER (default on): the outbox relay and the webhook deliveries run in this process too (ADR 0056).
    if (config.JOBS_WORKER)
      startJobsComponent(deps, {
        databaseUrl: config.DATABASE_URL,
        allowPrivateTargets: config.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
        secretKeys: config.WEBHOOK_SECRET_KEYS,
        // The users' receipts, low-balance and expiring-minutes mail (ADR 0058); without SMTP_URL, the log.
        notifications: {
          mailer: createMailer(
            { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, logContent: config.NODE_ENV !== 'production' },
            deps.logger,
          ),
          originOf: mailOriginOf(gateway),
        },
      });
    return createApp(deps, gateway);
  },
});
