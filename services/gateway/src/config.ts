import { z } from 'zod';
import { loadConfig } from '@mindbot/config';
import { serviceEnv } from '@mindbot/service-runtime';

const gatewayEnv = z.object({
  ...serviceEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
});

export type GatewayConfig = z.output<typeof gatewayEnv>;

/** The only place the gateway reads the environment. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(gatewayEnv, env);
}
