export { createHttpApp, type HttpAppOptions, type ReadinessChecks } from './create-http-app.js';
export { startServer, type RunningServer, type StartServerOptions } from './start-server.js';
export { createLifecycle, type Lifecycle } from './lifecycle.js';
export { asyncRoute } from './async-route.js';
export { closeOnSignals } from './close-on-signals.js';
export { responseLocal, type ResponseLocal } from './response-local.js';
export { hostOf } from './request-guards.js';
export { publicOriginOf, forwardedOriginOf, type PublicScheme } from './public-origin.js';
