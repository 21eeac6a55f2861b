// A mixed multi-tenant workload: many tenants at once, mostly reads, some sessions, each with its own thresholds.
import { SEED, expectStatus, get, pick, post, shape, latency, warmUp } from './lib/common.js';

export const options = {
  scenarios: {
    widgets: { ...shape({ vus: 20, duration: '2m', smokeIterations: 10 }), exec: 'widget' },
    users: { ...shape({ vus: 10, duration: '2m', smokeIterations: 10 }), exec: 'user' },
    talkers: { ...shape({ vus: 2, duration: '2m', smokeIterations: 2 }), exec: 'talker' },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{scenario:widgets}': [latency('p(95)', 100), latency('p(99)', 250)],
    'http_req_duration{scenario:users}': [latency('p(95)', 200), latency('p(99)', 500)],
    'http_req_duration{scenario:talkers}': [latency('p(95)', 500), latency('p(99)', 1000)],
    checks: ['rate>0.99'],
  },
};

export function setup() {
  warmUp();
}

export function widget() {
  expectStatus(get(pick(SEED.tenants).slug, '/v1/branding', undefined, { name: 'GET /v1/branding' }), 200, 'branding');
}

export function user() {
  const tenant = pick(SEED.tenants);
  expectStatus(get(tenant.slug, '/v1/balance', pick(tenant.users).token, { name: 'GET /v1/balance' }), 200, 'balance');
}

export function talker() {
  const tenant = pick(SEED.tenants);
  const who = pick(tenant.users);
  const started = post(tenant.slug, '/v1/voice/sessions', {}, who.token, { name: 'POST /v1/voice/sessions' });
  if (!expectStatus(started, 201, 'start session')) return;
  expectStatus(post(tenant.slug, `/v1/voice/sessions/${started.json().sessionId}/end`, {}, who.token, { name: 'POST /v1/voice/sessions/:id/end' }), 200, 'end session');
}
