export { buildProgram, runCli, type CliIo } from './program.js';
export { openContext, type CliContext } from './context.js';
export { readManifests, tenantProvision } from './commands/tenant-provision.js';
export { loadCliConfig } from './config.js';
export { completeLocalOnboarding, deliverSignedEvent, type WebhookTarget } from './local-payments.js';
export { localPlatformFile, type LocalPlatform } from './local-platform.js';
