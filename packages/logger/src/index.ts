export { createLogger, REDACTED_KEYS, type Logger, type LoggerOptions } from './create-logger.js';
