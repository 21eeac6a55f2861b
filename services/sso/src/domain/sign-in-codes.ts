import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { fail, ok, type Result } from '@mindbot/errors';
import { z } from 'zod';
import type { EphemeralStore } from '../data/ephemeral-store.js';

/** How long a code from a returnTo redirect can be redeemed: long enough for a page load, short enough to be useless when leaked later. */
export const SIGN_IN_CODE_TTL_SECONDS = 60;

/**
 * What a code stands for: a verified IdP sign-in of a user found or created just in time, or a reseller's
 * handoff to one of its tenants' consoles. The session (and so the
 * tokens) starts only when the code is redeemed, so no token is ever stored or put in a URL.
 */
const grantSchema = z.object({
  userId: z.string(),
  /** The IdP connection signed in through; none for a reseller's handoff. */
  connectionId: z.string().optional(),
  method: z.enum(['oidc', 'saml', 'reseller']),
  /** For a reseller's handoff: the reseller tenant and its admin who opened this tenant's console. */
  reseller: z.object({ tenant: z.string(), userId: z.string() }).optional(),
  samlNameId: z.string().optional(),
  samlSessionIndex: z.string().optional(),
  codeChallenge: z.string().optional(),
  issuedAt: z.number(),
});
export type SignInGrant = z.output<typeof grantSchema>;

export type RedeemFailure =
  'code_unknown' | 'code_expired' | 'code_verifier_missing' | 'code_verifier_mismatch' | 'code_verifier_unexpected';

/** Stored under the code's hash: a dump of the store holds no redeemable code. */
const keyOf = (code: string) => ['signin', 'code', createHash('sha256').update(code).digest('base64url')];

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/**
 * Single-use, short-lived, opaque sign-in codes, kept per tenant in the ephemeral store (Redis under
 * the tenant's keys; the process's own map in single-node mode, where the one process that issued a
 * code is the one that redeems it). A code looked up on another tenant is simply unknown there.
 */
export class SignInCodes {
  constructor(
    private readonly store: EphemeralStore,
    private readonly now: () => number,
  ) {}

  async issue(tenant: string, grant: Omit<SignInGrant, 'issuedAt'>): Promise<string> {
    const code = randomBytes(32).toString('base64url');
    await this.store.put(tenant, keyOf(code), JSON.stringify({ ...grant, issuedAt: this.now() }), SIGN_IN_CODE_TTL_SECONDS);
    return code;
  }

  /**
   * Takes the code (whatever follows, it cannot be tried again), then checks its age (the store's
   * expiry is the backstop; this clock is the rule) and the PKCE verifier. A verifier sent for a code
   * that has no challenge is refused too, so a stripped challenge cannot downgrade the check.
   */
  async redeem(tenant: string, code: string, verifier: string | undefined): Promise<Result<SignInGrant, RedeemFailure>> {
    const stored = await this.store.take(tenant, keyOf(code));
    if (stored === undefined) return fail('code_unknown');
    const grant = grantSchema.parse(JSON.parse(stored));
    if (this.now() - grant.issuedAt > SIGN_IN_CODE_TTL_SECONDS * 1000) return fail('code_expired');
    if (grant.codeChallenge === undefined) return verifier === undefined ? ok(grant) : fail('code_verifier_unexpected');
    if (verifier === undefined) return fail('code_verifier_missing');
    const expected = Buffer.from(grant.codeChallenge);
    const actual = Buffer.from(s256(verifier));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return fail('code_verifier_mismatch');
    return ok(grant);
  }
}
