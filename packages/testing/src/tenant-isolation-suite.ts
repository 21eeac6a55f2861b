import type { Express } from 'express';
import { expressRoutes } from './express-routes.js';

/** What a route answered, as supertest (or fetch) reports it. */
export interface IsolationResponse {
  status: number;
  body: unknown;
  headers: Record<string, unknown>;
}

export interface TenantIsolationSuite<Ids> {
  /** The service, for the suite's title. */
  service: string;
  /**
   * Starts the app and gives tenant A resources. Returns the app, the ids of A's resources and ids
   * of the same shapes that exist nowhere.
   */
  setup(): Promise<{ app: Express; ofA: Ids; missing: Ids }>;
  teardown(): Promise<void>;
  /**
   * Every route that names a resource, called by tenant B (its admin, on its host) with the given
   * ids. Keyed `METHOD /path` as the app registers it; a suffix in parentheses tells apart two
   * calls of one route, e.g. `POST /v1/sso/domains (connectionId in the body)`.
   */
  byId: Record<string, (ids: Ids) => Promise<IsolationResponse>>;
  /** Lists tenant B reads; none may show anything of A's. */
  lists: Record<string, () => Promise<IsolationResponse>>;
  /** Strings that would betray A's data in B's answers (ids, names). */
  markersOf(ids: Ids): string[];
  /** A's data as stored, to prove nothing changed. */
  snapshotOfA(): Promise<unknown>;
  /** Routes with a path parameter that name no tenant resource, each with the reason. */
  exempt?: Record<string, string>;
  /** Status a foreign id answers (default 404), e.g. 400 where the id is refused as invalid input. */
  foreignStatus?: (route: string) => number;
  /** The service's own isolation tests, run while the app set up by `setup` is still up. */
  alsoProve?: () => void;
}

type Problem = { code?: unknown; detail?: unknown; errors?: unknown };
const problemOf = (body: unknown): Problem => (typeof body === 'object' && body !== null ? body : {});
const routeOf = (key: string) => key.replace(/\s*\(.*\)$/, '');

/**
 * The one tenant-isolation suite every service runs against its tenant-scoped routes: tenant B
 * naming tenant A's ids gets exactly the answer a missing id gets (no oracle), A's data is
 * unchanged, B's lists show none of A's, and every routed path with a parameter is in the table
 * (or exempt with a reason), so a new route cannot skip the suite.
 */
export function describeTenantIsolation<Ids>(suite: TenantIsolationSuite<Ids>): void {
  describe(`${suite.service}: tenant isolation on every tenant-scoped route`, () => {
    let app: Express;
    let ofA: Ids;
    let missing: Ids;

    beforeAll(async () => {
      ({ app, ofA, missing } = await suite.setup());
    }, 120_000);

    afterAll(async () => {
      await suite.teardown();
    });

    it('covers every route that takes a path parameter', () => {
      const routed = [...expressRoutes(app)]
        .filter((route) => route.includes(':'))
        .map((route) => route.replace(/^(\S+)/, (m) => m.toUpperCase()));
      const covered = new Set([...Object.keys(suite.byId).map(routeOf), ...Object.keys(suite.exempt ?? {})]);
      expect(routed.filter((route) => !covered.has(route))).toEqual([]);
      const known = new Set([...expressRoutes(app)].map((route) => route.replace(/^(\S+)/, (m) => m.toUpperCase())));
      expect(
        Object.keys(suite.byId)
          .map(routeOf)
          .filter((route) => !known.has(route)),
      ).toEqual([]);
    });

    it.each(Object.keys(suite.byId))("%s answers another tenant's id exactly like a missing one, changing nothing", async (route) => {
      const call = suite.byId[route];
      if (!call) throw new Error(`no call for ${route}`);
      const before = await suite.snapshotOfA();
      const foreign = await call(ofA);
      const absent = await call(missing);
      expect(foreign.status).toBe(suite.foreignStatus?.(route) ?? 404);
      expect(foreign.status).toBe(absent.status);
      const [f, m] = [problemOf(foreign.body), problemOf(absent.body)];
      expect({ code: f.code, detail: f.detail, errors: f.errors }).toEqual({ code: m.code, detail: m.detail, errors: m.errors });
      expect(foreign.headers.location).toBeUndefined();
      expect(await suite.snapshotOfA()).toEqual(before);
    });

    it.each(Object.keys(suite.lists))("%s shows none of another tenant's data", async (name) => {
      const list = suite.lists[name];
      if (!list) throw new Error(`no list ${name}`);
      const res = await list();
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      for (const marker of suite.markersOf(ofA)) expect(text).not.toContain(marker);
    });

    suite.alsoProve?.();
  });
}
