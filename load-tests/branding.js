// Branding reads: the public, cached GET /v1/branding of many tenants (what every widget load does).
import { oneScenario, warmUp } from './lib/common.js';
import { readBranding } from './lib/journeys.js';

export const options = oneScenario('branding', { vus: 20, duration: '1m', smokeIterations: 10 }, { p95: 100, p99: 250 });

export function setup() {
  warmUp();
}

export default function () {
  readBranding();
}
