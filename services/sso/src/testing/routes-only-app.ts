import type { Express } from 'express';
import type { ServiceDeps } from '@mindbot/service-runtime';
import { createSsoApp } from '../app.js';
import { buildSsoDeps } from '../deps.js';
import { testSsoConfig } from './sso-test-config.js';

/** SSO's real app with test keys, for reading which routes it serves (the gateway's OpenAPI test). */
export function createRoutesOnlyApp(deps: ServiceDeps): Express {
  return createSsoApp(deps, buildSsoDeps(deps, testSsoConfig()));
}
