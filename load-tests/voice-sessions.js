// Voice-session creation: balance check in billing, LiveKit room + agent dispatch, token; then hang up.
import { SEED, expectStatus, pick, post, shape, latency, warmUp } from './lib/common.js';

export const options = {
  scenarios: { voice: { ...shape({ vus: 5, duration: '1m', smokeIterations: 3 }), exec: 'default' } },
  thresholds: {
    'http_req_failed{scenario:voice}': ['rate<0.01'],
    'http_req_duration{scenario:voice,name:POST /v1/voice/sessions}': [latency('p(95)', 500), latency('p(99)', 1000)],
    checks: ['rate>0.99'],
  },
};

export function setup() {
  warmUp();
}

export default function () {
  const tenant = pick(SEED.tenants);
  const user = pick(tenant.users);
  const started = post(tenant.slug, '/v1/voice/sessions', {}, user.token, { name: 'POST /v1/voice/sessions' });
  if (!expectStatus(started, 201, 'start session')) return;
  const session = started.json();
  expectStatus(post(tenant.slug, `/v1/voice/sessions/${session.sessionId}/end`, {}, user.token, { name: 'POST /v1/voice/sessions/:id/end' }), 200, 'end session');
}
