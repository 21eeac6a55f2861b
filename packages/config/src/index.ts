export { loadConfig, ConfigError, envBoolean, commonEnv, type CommonEnv } from './load-config.js';
