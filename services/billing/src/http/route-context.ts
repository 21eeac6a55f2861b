import type { RequestHandler } from 'express';
import type { Route } from '@mindbot/http';
import type { ServiceDeps } from '@mindbot/service-runtime';
import type { BillingDeps } from '../deps.js';
import type { OnParked } from '../domain/parked-events.js';
import type { BillingMetrics } from './billing-metrics.js';
import type { FailureLimiter } from './failure-limiter.js';
import type { MeteringGate } from './metering-gate.js';

/** What every route of billing is mounted with. */
export interface RouteContext {
  deps: ServiceDeps;
  billing: BillingDeps;
  /** A signed-in user of the tenant in the token (any role). */
  user: RequestHandler[];
  /** A tenant admin or owner. */
  admin: RequestHandler[];
  /** A platform service (the gateway) acting for the tenant in the path. */
  service: RequestHandler[];
  /** The agent with the job token of the session in the path, or a platform service (heartbeat, end, read). */
  session: RequestHandler[];
  /** Only the agent with the job token of the session in the path (purchases and transcripts in a call). */
  job: RequestHandler[];
  activationLimiter: FailureLimiter;
  meteringGate: MeteringGate;
  /** Counts a newly parked webhook event on /metrics. */
  onParked: OnParked;
  /** Billing's own series on /metrics (webhook deliveries, failed payments). */
  metrics: BillingMetrics;
}

/** A route of billing: its spec and how it mounts. */
export type AppRoute = Route<RouteContext>;
