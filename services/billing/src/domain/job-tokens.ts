import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// The agent's credential for one voice session (docs/adr/0050-agent-job-credentials.md). Billing
// mints it when the session starts and keeps only its hash on the session row; the gateway hands it
// to the agent in the dispatch metadata. It names nothing itself: the route names the tenant and the
// session, and the token must match that session's hash, so it can reach no other session, tenant or route.

const PREFIX = 'mbj_';
const FORMAT = /^mbj_[A-Za-z0-9_-]{43}$/;

/** How long after its session ended a job token still settles and flushes the transcript. */
export const JOB_TOKEN_GRACE_SECONDS = 300;

export function mintJobToken(): { token: string; hash: string } {
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashOf(token) };
}

export function looksLikeJobToken(value: string): boolean {
  return FORMAT.test(value);
}

/** Constant-time comparison of a presented token with the stored hash. */
export function jobTokenMatches(presented: string, storedHash: string | null): boolean {
  if (storedHash === null) return false;
  const a = Buffer.from(hashOf(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function hashOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
