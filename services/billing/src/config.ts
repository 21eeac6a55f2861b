import { z } from 'zod';
import { loadConfig } from '@mindbot/config';
import { serviceEnv } from '@mindbot/service-runtime';

const billingEnv = z.object({
  ...serviceEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
});

export type BillingConfig = z.output<typeof billingEnv>;

/** The only place the billing reads the environment. */
export function loadBillingConfig(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  return loadConfig(billingEnv, env);
}
