// Voice-session creation: balance check in billing, LiveKit room + agent dispatch, token; then hang up.
import { oneScenario, warmUp } from './lib/common.js';
import { talk } from './lib/journeys.js';

// The latency targets are for starting a session; hanging up is checked, not timed.
export const options = oneScenario(
  'voice',
  { vus: 5, duration: '1m', smokeIterations: 3 },
  { p95: 500, p99: 1000, measured: 'scenario:voice,name:POST /v1/voice/sessions' },
);

export function setup() {
  warmUp();
}

export default function () {
  talk();
}
