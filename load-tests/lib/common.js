// Shared by every scenario: where the platform is, which tenants and users to use, and how big a run is.
//
//   MINDBOT_BASE_URL   the platform. With a {tenant} placeholder (https://{tenant}.mindbot.ai) each
//                      tenant is addressed by its own host; without one (http://127.0.0.1:8080) the
//                      tenant host is sent in the Host header as <slug>.<MINDBOT_BASE_DOMAIN>.
//   MINDBOT_BASE_DOMAIN  default localhost
//   MINDBOT_SEED       the JSON file written by `npm run load:seed` (tenants, users, tokens)
//   K6_PROFILE         smoke (CI: a few iterations) | load (default) | stress
//   K6_THRESHOLD_SCALE multiplies every latency threshold (default 1). The CI smoke run on a shared
//                      machine uses a generous scale: it proves the scenarios work and the
//                      thresholds are evaluated; the absolute targets are for load runs.
import http from 'k6/http';
import { check } from 'k6';

export const BASE_URL = __ENV.MINDBOT_BASE_URL || 'http://127.0.0.1:8080';
export const BASE_DOMAIN = __ENV.MINDBOT_BASE_DOMAIN || 'localhost';
export const PROFILE = __ENV.K6_PROFILE || 'load';
const SCALE = Number(__ENV.K6_THRESHOLD_SCALE || 1);

/** A latency threshold expression, scaled: latency('p(95)', 100) → 'p(95)<100'. */
export function latency(stat, ms) {
  return `${stat}<${Math.max(1, Math.round(ms * SCALE))}`;
}

// open() runs in the init context: every VU gets the same seed.
export const SEED = JSON.parse(open(__ENV.MINDBOT_SEED || './seed.json'));

export function tenantUrl(slug, path) {
  if (BASE_URL.includes('{tenant}')) return { url: BASE_URL.replace('{tenant}', slug) + path, headers: {} };
  return { url: BASE_URL + path, headers: { Host: `${slug}.${BASE_DOMAIN}` } };
}

export function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

/** How many VUs and how long, per profile; thresholds are the same in every profile. */
export function shape(load) {
  if (PROFILE === 'smoke') return { executor: 'shared-iterations', vus: 1, iterations: load.smokeIterations || 5, maxDuration: '30s' };
  if (PROFILE === 'stress') return { executor: 'constant-vus', vus: load.vus * 4, duration: load.duration };
  return { executor: 'constant-vus', vus: load.vus, duration: load.duration };
}

export function get(slug, path, token, tags) {
  const { url, headers } = tenantUrl(slug, path);
  if (token) headers.Authorization = `Bearer ${token}`;
  return http.get(url, { headers, tags });
}

export function post(slug, path, body, token, tags) {
  const { url, headers } = tenantUrl(slug, path);
  headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  return http.post(url, JSON.stringify(body), { headers, tags });
}

/**
 * Touches every seeded tenant and user once before the measured scenarios, as a long run amortises
 * it (each process's first request per tenant opens clients and fetches keys): a smoke run's few
 * samples would otherwise measure a cold process. Call it from setup(): those requests carry no
 * scenario tag, so no scenario's thresholds count them.
 */
export function warmUp() {
  for (const tenant of SEED.tenants) {
    get(tenant.slug, '/v1/branding', undefined, { name: 'warm-up' });
    for (const user of tenant.users) get(tenant.slug, '/v1/balance', user.token, { name: 'warm-up' });
  }
}

export function expectStatus(res, status, name) {
  return check(res, { [`${name}: ${status}`]: (r) => r.status === status });
}

/** Options of a file with one scenario: its load per profile, and its error-rate, latency and check thresholds. */
export function oneScenario(name, load, { p95, p99, measured = `scenario:${name}` }) {
  return {
    scenarios: { [name]: { ...shape(load), exec: 'default' } },
    thresholds: {
      [`http_req_failed{scenario:${name}}`]: ['rate<0.01'],
      [`http_req_duration{${measured}}`]: [latency('p(95)', p95), latency('p(99)', p99)],
      checks: ['rate>0.99'],
    },
  };
}
