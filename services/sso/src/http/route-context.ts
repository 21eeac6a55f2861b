import type { RequestHandler } from 'express';
import type { Route } from '@mindbot/http';
import type { ServiceDeps } from '@mindbot/service-runtime';
import type { SsoDeps } from '../deps.js';

/** What every route of SSO is mounted with. */
export interface RouteContext {
  deps: ServiceDeps;
  sso: SsoDeps;
  /** A signed-in user of this host's tenant, from a session that is still live. */
  signedIn: RequestHandler;
  /** A signed-in owner or admin of this host's tenant. */
  admin: RequestHandler[];
  /** Counts a sign-in attempt against the client IP and the whole tenant; past either limit, a 429. */
  loginRateLimit: RequestHandler;
  /** A platform service with one of SSO_SERVICE_TOKENS (/internal routes). */
  service: RequestHandler[];
}

/** A route of SSO: its spec and how it mounts. */
export type AppRoute = Route<RouteContext>;
