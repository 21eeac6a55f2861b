// The mixed scenario's visitors (mixed.js) for the chaos run (npm run chaos, docs/chaos.md): the same
// widgets, users and talkers, for as long as the run keeps k6 going (it stops k6 with SIGINT once a
// fault is over). The thresholds are mixed.js's error and check rates only; the chaos run judges
// every request against the outage window itself, from k6's JSON output.
import { warmUp } from './lib/common.js';
import { readBalance, readBranding, talk } from './lib/journeys.js';

const vus = (name, fallback) => Number(__ENV[name] || fallback);
const lasting = __ENV.K6_DURATION || '30m';

export const options = {
  scenarios: {
    widgets: { executor: 'constant-vus', vus: vus('K6_WIDGETS', 4), duration: lasting, exec: 'widget' },
    users: { executor: 'constant-vus', vus: vus('K6_USERS', 3), duration: lasting, exec: 'user' },
    talkers: { executor: 'constant-vus', vus: vus('K6_TALKERS', 1), duration: lasting, exec: 'talker' },
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
