import { z } from 'zod';

const CURRENCIES = ['usd', 'eur', 'gbp', 'cad', 'aud', 'sgd', 'jpy'] as const;

/** The fields of a package as an admin writes them: prices in minor units (cents), time in seconds, within sane bounds. */
const fields = {
  name: z.string().trim().min(1).max(80),
  description: z.string().max(500),
  priceCents: z.int().min(50, 'must be at least 50 (Stripe minimum charge)').max(10_000_000, 'must be at most 10000000'),
  currency: z.enum(CURRENCIES),
  baseSeconds: z.int().min(60, 'must be at least 60 seconds').max(36_000_000, 'must be at most 10000 hours'),
  bonusSeconds: z.int().min(0).max(36_000_000, 'must be at most 10000 hours'),
  active: z.boolean(),
  sortOrder: z.int().min(0).max(10_000),
};

export const packageInput = z
  .object({
    ...fields,
    description: fields.description.default(''),
    bonusSeconds: fields.bonusSeconds.default(0),
    active: fields.active.default(true),
    sortOrder: fields.sortOrder.default(0),
  })
  .strict();

/** A PATCH: only the fields sent change (no defaults here, or an edit would reset the others). */
export const packagePatch = z
  .object(fields)
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field');
