import { z } from 'zod';

const CURRENCIES = ['usd', 'eur', 'gbp', 'cad', 'aud', 'sgd', 'jpy'] as const;

/** A package as an admin writes it: prices in minor units (cents), time in seconds, within sane bounds. */
export const packageInput = z
  .object({
    name: z.string().trim().min(1).max(80),
    description: z.string().max(500).default(''),
    priceCents: z.int().min(50, 'must be at least 50 (Stripe minimum charge)').max(10_000_000, 'must be at most 10000000'),
    currency: z.enum(CURRENCIES),
    baseSeconds: z.int().min(60, 'must be at least 60 seconds').max(36_000_000, 'must be at most 10000 hours'),
    bonusSeconds: z.int().min(0).max(36_000_000, 'must be at most 10000 hours').default(0),
    active: z.boolean().default(true),
    sortOrder: z.int().min(0).max(10_000).default(0),
  })
  .strict();

export const packagePatch = packageInput
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'must change at least one field');
