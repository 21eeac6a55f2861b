import { z } from 'zod';

export const sessionId = z.string().regex(/^vs_[0-9a-z]{26}$/, 'must be a voice session id (vs_…)');
/** A client's idempotency key: printable, no spaces. */
export const requestKey = z.string().regex(/^[A-Za-z0-9_.:-]{8,100}$/, 'must be 8–100 characters of letters, digits and _ . : -');
export const sessionIdParams = z.object({ id: sessionId });
