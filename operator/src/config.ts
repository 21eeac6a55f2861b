import { z } from 'zod';
import { stripeClientEnv, stripeSecretKey } from '@mindbot/billing/provisioning';
import { commonEnv, envBoolean, loadConfig } from '@mindbot/config';
import { REGIONS } from '@mindbot/tenancy';

const secretRef = z
  .string()
  .regex(/^[a-z0-9-]+\/[a-z0-9.-]+$/, 'must be <namespace>/<name>')
  .transform((value) => {
    const [namespace = '', name = ''] = value.split('/');
    return { namespace, name };
  });

const milliseconds = (fallback: number) => z.coerce.number().int().min(1).max(24 * 3_600_000).default(fallback);

/** The operator's environment, parsed once; a bad value stops start-up naming the variable. */
export const operatorEnv = z.object({
  ...commonEnv,
  /** Unset: $KUBECONFIG, ~/.kube/config, or the in-cluster service account, in that order. */
  KUBECONFIG: z.string().optional(),
  KUBE_CONTEXT: z.string().optional(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
  /** The regions the platform runs, comma-separated; Tenants elsewhere get an UnknownRegion condition. */
  MINDBOT_REGIONS: z
    .string()
    .default(REGIONS.join(','))
    .transform((v) => v.split(',').map((r) => r.trim()).filter(Boolean)),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** /healthz, /readyz and /metrics. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  OPERATOR_NAMESPACE: z.string().min(1).default('mindbot-system'),
  LEADER_ELECT: envBoolean(true),
  LEASE_NAME: z.string().min(1).default('mindbot-operator'),
  LEASE_DURATION_MS: milliseconds(15_000),
  RENEW_DEADLINE_MS: milliseconds(10_000),
  RETRY_PERIOD_MS: milliseconds(2_000),
  WORKERS: z.coerce.number().int().min(1).max(64).default(4),
  RESYNC_PERIOD_MS: milliseconds(10 * 60_000),
  AGENT_IMAGE: z.string().min(1).default('ghcr.io/mindbot/agent:0.1.0'),
  PLATFORM_NAMESPACE: z.string().min(1).default('mindbot-system'),
  LIVEKIT_SECRET: secretRef.default({ namespace: 'mindbot-system', name: 'livekit' }),
  LIVEKIT_CIDR: z.string().regex(/^[0-9a-f:.]+\/\d{1,3}$/, 'must be a CIDR such as 10.0.0.0/8').default('0.0.0.0/0'),
  GATEWAY_URL: z.url().default('http://mindbot-gateway.mindbot-system.svc:8080'),
  BILLING_URL: z.url().default('http://mindbot-billing.mindbot-system.svc:8080'),
  /**
   * The platform's Stripe secret key (Connect platform account), as the billing service takes it.
   * Unset: no billing step, BillingReady reports NotConfigured and Ready does not wait for it.
   */
  STRIPE_SECRET_KEY: stripeSecretKey.optional(),
  ...stripeClientEnv,
  /** How often a tenant whose Stripe account cannot sell yet is looked at again (from the recorded state, no Stripe call). */
  BILLING_RECHECK_MS: milliseconds(60_000),
});

export type OperatorConfig = z.output<typeof operatorEnv>;

export function loadOperatorConfig(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  return loadConfig(operatorEnv, env);
}
