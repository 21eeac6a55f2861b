import { z } from 'zod';

/** Ids as billing mints them (`pkg_…`), including the seeded package ids such as `pkg_starter`. */
export const packageId = z.string().regex(/^pkg_[0-9a-z_]{1,60}$/, 'must be a package id (pkg_…)');
export const sessionId = z.string().regex(/^vs_[0-9a-z]{26}$/, 'must be a voice session id (vs_…)');
/** A client's idempotency key: printable, no spaces. */
export const requestKey = z.string().regex(/^[A-Za-z0-9_.:-]{8,100}$/, 'must be 8–100 characters of letters, digits and _ . : -');
export const userId = z.string().regex(/^[A-Za-z0-9_.:@-]{1,100}$/, 'must be a user id');
