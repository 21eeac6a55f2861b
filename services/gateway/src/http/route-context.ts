import type { Route } from '@mindbot/http';
import type { ServiceDeps } from '@mindbot/service-runtime';
import type { GatewayDeps } from '../deps.js';

/** What every route of the gateway is mounted with. */
export interface RouteContext {
  deps: ServiceDeps;
  gateway: GatewayDeps;
}

/** A route of the gateway: its spec and how it mounts. */
export type AppRoute = Route<RouteContext>;
