import type { Express } from 'express';
import type { RouteSpec } from '@mindbot/http';
import { expressRoutes } from './express-routes.js';

/** Every process serves these; they are not part of any service's API. */
const OPERATIONAL = new Set(['get /healthz', 'get /readyz', 'get /metrics']);

/**
 * How an app's routes and its route specs differ: routes it serves without a spec, and specs it
 * does not serve. A route on `all()` checks its method itself (SAML logout answers GET and POST),
 * so it stands for every spec on its path.
 */
export function routeCoverage(app: Express, specs: readonly RouteSpec[]): { undescribed: string[]; unserved: string[] } {
  const served = [...expressRoutes(app)].filter((route) => !OPERATIONAL.has(route));
  const described = new Set(specs.map((spec) => `${spec.method} ${spec.path}`));
  const servesAll = (path: string) => served.includes(`all ${path}`);
  return {
    undescribed: served.filter((route) => {
      const [method = '', path = ''] = route.split(' ');
      return method === 'all' ? !specs.some((spec) => spec.path === path) : !described.has(route);
    }),
    unserved: specs
      .filter((spec) => !served.includes(`${spec.method} ${spec.path}`) && !servesAll(spec.path))
      .map((spec) => `${spec.method} ${spec.path}`),
  };
}
