// Balance reads: signed-in users reading their minutes (gateway auth + rate limit + proxy to billing).
import { oneScenario, warmUp } from './lib/common.js';
import { readBalance } from './lib/journeys.js';

export const options = oneScenario('balance', { vus: 20, duration: '1m', smokeIterations: 10 }, { p95: 200, p99: 500 });

export function setup() {
  warmUp();
}

export default function () {
  readBalance();
}
