import { z } from 'zod';
import { commonEnv } from '@mindbot/config';

/** The environment every HTTP service reads; a service extends it with its own variables. */
export const serviceEnv = {
  ...commonEnv,
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
  /** Unset: the service runs single-node, without Redis. */
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(kb|mb)$/, 'must be a size such as 100kb or 1mb')
    .default('100kb'),
  /** Tenants are served at `<slug>.<BASE_DOMAIN>` (and at their own domains); every service resolves hosts the same way. */
  BASE_DOMAIN: z
    .string()
    .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a lower-case DNS name such as mindbot.ai')
    .default('localhost'),
  /** Safety net for tenant registry cache entries (changes normally arrive at once through LISTEN/NOTIFY). */
  REGISTRY_CACHE_TTL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  /** express "trust proxy": false, true, a hop count, or a list of addresses/subnets. */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v): boolean | number | string => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v)),
};

export type ServiceConfig = z.output<z.ZodObject<typeof serviceEnv & { PORT: z.ZodDefault<z.ZodCoercedNumber> }>>;
