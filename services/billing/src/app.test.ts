import { describeServiceContract } from '@mindbot/testing';
import { createApp, INTERNAL_ROUTES, PUBLIC_ROUTES } from './app.js';
import { createRoutesOnlyApp } from './testing/routes-only-app.js';

describeServiceContract('billing', createApp, {
  createFullApp: createRoutesOnlyApp,
  specs: [...PUBLIC_ROUTES, ...INTERNAL_ROUTES].map((route) => route.spec),
});
