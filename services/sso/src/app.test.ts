import { describeServiceContract } from '@mindbot/testing';
import { createApp, INTERNAL_ROUTES, PUBLIC_ROUTES } from './app.js';
import { testSsoConfig } from './testing/sso-test-config.js';

const createSsoTestApp = (deps: Parameters<typeof createApp>[0]) => createApp(deps, testSsoConfig());

describeServiceContract('sso', createSsoTestApp, {
  createFullApp: createSsoTestApp,
  specs: [...PUBLIC_ROUTES, ...INTERNAL_ROUTES].map((route) => route.spec),
});
