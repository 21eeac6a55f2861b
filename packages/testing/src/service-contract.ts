import type { Express } from 'express';
import request from 'supertest';
import { MigrationRunner } from '@mindbot/db';
import type { RouteSpec } from '@mindbot/http';
import { buildServiceDeps, type ServiceDeps } from '@mindbot/service-runtime';
import { captureLogger } from './capture-logger.js';
import { freePort } from './free-port.js';
import { routeCoverage } from './route-coverage.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { testRedisUrl } from './test-redis.js';

/** A service's full app and the specs of every route it serves (public and internal). */
export interface ServiceRoutes {
  createFullApp(deps: ServiceDeps): Express;
  specs: readonly RouteSpec[];
}

/**
 * What every service must do before any business route: health, readiness against its real
 * Postgres and Redis, metrics, problem responses; and, given its routes, serve exactly the routes
 * its specs describe (the public OpenAPI document is built from those specs). Each service's
 * app.test.ts runs this suite.
 */
export function describeServiceContract(service: string, createApp: (deps: ServiceDeps) => Express, routes?: ServiceRoutes): void {
  describe(`${service}: the service contract`, () => {
    let database: TestDatabase;
    let deps: ServiceDeps;
    let app: Express;

    beforeAll(async () => {
      database = await createTestDatabase();
      deps = buildServiceDeps({
        service,
        region: 'eu-west',
        logger: captureLogger(service).logger,
        databaseUrl: database.url,
        redisUrl: testRedisUrl(),
      });
      await (await MigrationRunner.load(deps.pool)).migrate({ kind: 'platform', schema: 'platform' });
      app = createApp(deps);
    });

    afterAll(async () => {
      await deps.close();
      await database.dispose();
    });

    it('is alive on /healthz', async () => {
      const res = await request(app).get('/healthz');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('is ready on /readyz when its Postgres and Redis answer', async () => {
      const res = await request(app).get('/readyz');
      expect(res.body).toEqual({ status: 'ready', dependencies: { postgres: 'ok', redis: 'ok' } });
    });

    it('reports not ready, naming the dependency, when Redis does not answer', async () => {
      const deadRedis = buildServiceDeps({
        service,
        region: 'eu-west',
        logger: captureLogger(service).logger,
        databaseUrl: database.url,
        redisUrl: `redis://127.0.0.1:${await freePort()}`,
      });
      try {
        const res = await request(createApp(deadRedis)).get('/readyz');
        expect(res.status).toBe(503);
        expect(res.body.dependencies).toEqual({ postgres: 'ok', redis: 'failing' });
      } finally {
        await deadRedis.close();
      }
    });

    it('runs single-node without Redis, saying so in its log', async () => {
      const logged = captureLogger(service);
      const single = buildServiceDeps({ service, region: 'eu-west', logger: logged.logger, databaseUrl: database.url });
      try {
        expect((await request(createApp(single)).get('/readyz')).body).toEqual({ status: 'ready', dependencies: { postgres: 'ok' } });
        expect(logged.lines.some((l) => String(l.msg).includes('running single-node'))).toBe(true);
      } finally {
        await single.close();
      }
    });

    it('serves Prometheus metrics with HTTP RED metrics and process metrics', async () => {
      await request(app).get('/healthz');
      const res = await request(app).get('/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toContain(`http_requests_total{method="GET",route="/healthz",status_code="200",service="${service}"}`);
      expect(res.text).toContain('process_cpu_user_seconds_total');
    });

    it('answers unknown routes and malformed bodies with problem documents', async () => {
      const missing = await request(app).get('/v1/does-not-exist');
      expect(missing.status).toBe(404);
      expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
      const malformed = await request(app).post('/v1/does-not-exist').set('Content-Type', 'application/json').send('{oops');
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('malformed_json');
    });

    if (routes) {
      it('serves exactly the routes its specs describe: none without a spec, no spec without a route', () => {
        expect(routes.specs.length).toBeGreaterThan(0);
        expect(routeCoverage(routes.createFullApp(deps), routes.specs)).toEqual({ undescribed: [], unserved: [] });
      });
    }
  });
}
