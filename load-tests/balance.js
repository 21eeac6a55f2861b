// Balance reads: signed-in users reading their minutes (gateway auth + rate limit + proxy to billing).
import { SEED, expectStatus, get, pick, shape, latency, warmUp } from './lib/common.js';

export const options = {
  scenarios: { balance: { ...shape({ vus: 20, duration: '1m', smokeIterations: 10 }), exec: 'default' } },
  thresholds: {
    'http_req_failed{scenario:balance}': ['rate<0.01'],
    'http_req_duration{scenario:balance}': [latency('p(95)', 200), latency('p(99)', 500)],
    checks: ['rate>0.99'],
  },
};

export function setup() {
  warmUp();
}

export default function () {
  const tenant = pick(SEED.tenants);
  const user = pick(tenant.users);
  expectStatus(get(tenant.slug, '/v1/balance', user.token, { name: 'GET /v1/balance' }), 200, 'balance');
}
