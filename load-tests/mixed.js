// A mixed multi-tenant workload: many tenants at once, mostly reads, some sessions, each with its own thresholds.
import { shape, latency, warmUp } from './lib/common.js';
import { readBalance, readBranding, talk } from './lib/journeys.js';

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
  readBranding();
}

export function user() {
  readBalance();
}

export function talker() {
  talk();
}
