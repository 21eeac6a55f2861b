// Identity-provider and DNS doubles are subpath exports (`@mindbot/testing/saml-idp`, `/oidc-idp`,
// `/test-dns`): they load samlify, oidc-provider and dns2, which most tests never need.
export { createTestDatabase, testAdminUrl, type TestDatabase } from './test-database.js';
export { uniqueSlug, testManifest } from './fixtures.js';
export { captureLogger, type CapturedLogger } from './capture-logger.js';
export { testRedisUrl } from './test-redis.js';
export { freePort, portAllocator } from './free-port.js';
export { describeServiceContract, type ServiceRoutes } from './service-contract.js';
export { createTestTokenIssuer, type TestTokenIssuer } from './test-token-issuer.js';
export { expressRoutes } from './express-routes.js';
export { startStripeMock, stripeMockBinary, type StripeMock } from './stripe-mock.js';
export { describeTenantIsolation, type TenantIsolationSuite, type IsolationResponse } from './tenant-isolation-suite.js';
export { startRedisServer, type RedisServer } from './redis-server.js';
export { routeCoverage } from './route-coverage.js';
export { startSmtpServer, type TestSmtpServer, type DeliveredMail } from './smtp-server.js';
