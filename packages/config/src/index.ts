export { loadConfig, ConfigError, envBoolean, commonEnv, type CommonEnv } from './load-config.js';
export { loadConfigOrExit } from './load-or-exit.js';
