// Branding reads: the public, cached GET /v1/branding of many tenants (what every widget load does).
import { SEED, expectStatus, get, pick, shape, latency, warmUp } from './lib/common.js';

export const options = {
  scenarios: { branding: { ...shape({ vus: 20, duration: '1m', smokeIterations: 10 }), exec: 'default' } },
  thresholds: {
    'http_req_failed{scenario:branding}': ['rate<0.01'],
    'http_req_duration{scenario:branding}': [latency('p(95)', 100), latency('p(99)', 250)],
    checks: ['rate>0.99'],
  },
};

export function setup() {
  warmUp();
}

export default function () {
  const tenant = pick(SEED.tenants);
  expectStatus(get(tenant.slug, '/v1/branding', undefined, { name: 'GET /v1/branding' }), 200, 'branding');
}
