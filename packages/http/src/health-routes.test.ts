import request from 'supertest';
import { createMetrics } from '@mindbot/metrics';
import { captureLogger } from '@mindbot/testing';
import { createHttpApp } from './create-http-app.js';
import { createLifecycle } from './lifecycle.js';

describe('dependency reachability on /metrics', () => {
  it('reports each readiness dependency as up or down after every /readyz, labelled with the service', async () => {
    let redisUp = true;
    const app = createHttpApp({
      service: 'billing',
      logger: captureLogger('health-test').logger,
      metrics: createMetrics('billing', { defaultMetrics: false }),
      lifecycle: createLifecycle(),
      readiness: {
        postgres: () => Promise.resolve(),
        redis: () => (redisUp ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED'))),
      },
      routes: () => undefined,
    });

    await request(app).get('/readyz');
    const healthy = (await request(app).get('/metrics')).text;
    expect(healthy).toContain('# TYPE mindbot_dependency_up gauge');
    expect(healthy).toMatch(/^mindbot_dependency_up\{dependency="postgres",service="billing"\} 1$/m);
    expect(healthy).toMatch(/^mindbot_dependency_up\{dependency="redis",service="billing"\} 1$/m);

    redisUp = false;
    expect((await request(app).get('/readyz')).status).toBe(503);
    const broken = (await request(app).get('/metrics')).text;
    expect(broken).toMatch(/^mindbot_dependency_up\{dependency="redis",service="billing"\} 0$/m);
    expect(broken).toMatch(/^mindbot_dependency_up\{dependency="postgres",service="billing"\} 1$/m);
  });
});
