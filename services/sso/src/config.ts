import { z } from 'zod';
import { loadConfig } from '@mindbot/config';
import { serviceEnv } from '@mindbot/service-runtime';

const ssoEnv = z.object({
  ...serviceEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(8082),
});

export type SsoConfig = z.output<typeof ssoEnv>;

/** The only place the sso reads the environment. */
export function loadSsoConfig(env: NodeJS.ProcessEnv = process.env): SsoConfig {
  return loadConfig(ssoEnv, env);
}
