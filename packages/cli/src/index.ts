export { buildProgram, runCli, type CliIo } from './program.js';
export { openContext, type CliContext } from './context.js';
export { readManifests, tenantProvision } from './commands/tenant-provision.js';
export { loadCliConfig } from './config.js';
