// What one iteration of each kind of visitor does; the single-scenario files and mixed.js share them.
import { SEED, expectStatus, get, pick, post } from './common.js';

/** A widget loading: the tenant's public branding. */
export function readBranding() {
  expectStatus(get(pick(SEED.tenants).slug, '/v1/branding', undefined, { name: 'GET /v1/branding' }), 200, 'branding');
}

/** A signed-in user looking at their minutes. */
export function readBalance() {
  const tenant = pick(SEED.tenants);
  expectStatus(get(tenant.slug, '/v1/balance', pick(tenant.users).token, { name: 'GET /v1/balance' }), 200, 'balance');
}

/** A user starting a voice session, then hanging up. */
export function talk() {
  const tenant = pick(SEED.tenants);
  const user = pick(tenant.users);
  const started = post(tenant.slug, '/v1/voice/sessions', {}, user.token, { name: 'POST /v1/voice/sessions' });
  if (!expectStatus(started, 201, 'start session')) return;
  expectStatus(
    post(tenant.slug, `/v1/voice/sessions/${started.json().sessionId}/end`, {}, user.token, { name: 'POST /v1/voice/sessions/:id/end' }),
    200,
    'end session',
  );
}
