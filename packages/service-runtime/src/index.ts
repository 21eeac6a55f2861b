export { serviceEnv, type ServiceConfig } from './service-config.js';
export { buildServiceDeps, type ServiceDeps } from './service-deps.js';
export { runService } from './run-service.js';
export { httpOptionsOf } from './http-options.js';
