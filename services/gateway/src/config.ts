import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envBoolean, loadConfig } from '@mindbot/config';
import { keyEncryptionKeysSchema } from '@mindbot/envelope';
import { mailEnv } from '@mindbot/mailer';
import { serviceEnv } from '@mindbot/service-runtime';
import { REGIONS } from '@mindbot/tenancy';

/** The widget's build output (`npm run build:web`): the repository's web/widget/dist, in development and in the image (/app/web/widget/dist). */
export const DEFAULT_WIDGET_DIST_DIR = fileURLToPath(new URL('../../../web/widget/dist', import.meta.url));

/** The console's build output (`npm run build:web`): the repository's web/console/dist, in development and in the image (/app/web/console/dist). */
export const DEFAULT_CONSOLE_DIST_DIR = fileURLToPath(new URL('../../../web/console/dist', import.meta.url));

const share = (fallback: number) => z.coerce.number().gt(0).max(1).default(fallback);

/** `{"us-east":"https://{tenant}.us-east.mindbot.ai", …}`: where each region serves a tenant. */
const regionUrls = z
  .string()
  .default('{}')
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of region to URL template' });
      return z.NEVER;
    }
  })
  .pipe(
    z.partialRecord(
      z.enum(REGIONS),
      z
        .string()
        .regex(
          /^https?:\/\/[^/?#\s]*\{tenant\}[^/?#\s]*$/,
          'each URL template must be http(s)://… with a {tenant} placeholder in the host and no path',
        ),
    ),
  );

const gatewayEnv = z
  .object({
    ...serviceEnv,
    PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    /** The scheme browsers use to reach tenants (CORS origins and redirects are built with it). */
    PUBLIC_SCHEME: z.enum(['http', 'https']).default('https'),
    /** Per region, the URL template of a tenant's base URL; default `<scheme>://{tenant}.<region>.<BASE_DOMAIN>`. */
    REGION_URLS: regionUrls,
    /** Verification of platform tokens issued by the SSO service. */
    AUTH_JWKS_URL: z.url({ error: 'must be the SSO service JWKS URL' }).default('http://127.0.0.1:8082/.well-known/jwks.json'),
    AUTH_ISSUER: z.string().min(1),
    AUTH_AUDIENCE: z.string().min(1).default('mindbot-platform'),
    /** Upstream services the gateway serves through itself. */
    BILLING_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8081'),
    SSO_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8082'),
    /** The service credential the gateway presents on billing's /internal routes. */
    BILLING_SERVICE_TOKEN: z.string().min(32, 'must have at least 32 characters'),
    /**
     * LiveKit, as clients reach it (ws/wss) and as the gateway calls its API (http/https, default from
     * LIVEKIT_URL). All unset: voice sessions answer 503 (a deployment without voice, e.g. `npm start`).
     */
    LIVEKIT_URL: z.url({ protocol: /^wss?$/, error: 'must be a ws:// or wss:// URL' }).optional(),
    LIVEKIT_API_URL: z.url({ protocol: /^https?$/ }).optional(),
    LIVEKIT_API_KEY: z.string().min(1).optional(),
    LIVEKIT_API_SECRET: z.string().min(32, 'must have at least 32 characters').optional(),
    /** The agent name of the region's shared worker pool (tenants whose plan has `agentPool: shared`); dedicated workers register as `tenant-<slug>`. */
    AGENT_POOL_NAME: z
      .string()
      .regex(/^[a-z0-9-]{1,60}$/, 'must be lower-case letters, digits and -')
      .default('mindbot-shared'),
    /** `plan`: each tenant's plan says dedicated or shared workers; `shared`: every call goes to the shared pool (one local worker for all tenants, as `npm start` runs it). */
    AGENT_DISPATCH: z.enum(['plan', 'shared']).default('plan'),
    /** Refuse new voice sessions with a 503 problem when no agent worker of the tenant reports itself ready (in Redis): on in the chart. */
    VOICE_REQUIRE_AGENT: envBoolean(false),
    /** Lifetime of the LiveKit access token handed to the user. */
    VOICE_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(600),
    /** What the rate limiter does while Redis is unreachable: per-process limits (default), allow all, or refuse all. */
    RATE_LIMIT_WHEN_REDIS_DOWN: z.enum(['local', 'open', 'closed']).default('local'),
    /** Share of the tenant's per-minute budget one principal (user or API key) may use. */
    RATE_LIMIT_PRINCIPAL_SHARE: share(0.5),
    /** Share of the tenant's per-minute budget one client IP may use. */
    RATE_LIMIT_IP_SHARE: share(0.5),
    /** Where the widget's build is served from (`/widget.js`, `/widget/*`, the hosted page); missing files answer 503. */
    WIDGET_DIST_DIR: z.string().min(1).default(DEFAULT_WIDGET_DIST_DIR),
    /** Where the console's build is served from (`/console`, `/console/*`); missing files answer 503. */
    CONSOLE_DIST_DIR: z.string().min(1).default(DEFAULT_CONSOLE_DIST_DIR),
    /** Run the jobs component in this process: the outbox relay and the webhook deliveries (ADR 0056). */
    JOBS_WORKER: envBoolean(true),
    /** Allow http:// webhook URLs and private, loopback and link-local targets: tests and local development only, never production. */
    WEBHOOKS_ALLOW_PRIVATE_TARGETS: envBoolean(false),
    /** `kid:base64key,…`: 32-byte key-encryption keys sealing webhook signing secrets at rest (the first seals, all open). Unset: stored unsealed, with a warning. */
    WEBHOOK_SECRET_KEYS: keyEncryptionKeysSchema.optional(),
    /** The users' notifications the jobs component sends (receipts, low balance, expiring minutes; ADR 0058): SMTP_URL and MAIL_FROM. */
    ...mailEnv,
  })
  .superRefine((env, ctx) => {
    const set = [env.LIVEKIT_URL, env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET].filter((v) => v !== undefined).length;
    if (set !== 0 && set !== 3) {
      for (const name of ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'] as const) {
        if (env[name] === undefined)
          ctx.addIssue({ code: 'custom', path: [name], message: 'must be set with the other LIVEKIT_ variables' });
      }
    }
  });

export type GatewayConfig = z.output<typeof gatewayEnv>;

/** The only place the gateway reads the environment. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(gatewayEnv, env);
}
