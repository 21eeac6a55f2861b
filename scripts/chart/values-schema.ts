// The one source of charts/mindbot/values.schema.json, which helm checks values against on install, upgrade,
// template and lint. `npm run generate:values-schema` writes the file; a test fails when it is stale.
import { z } from 'zod';
import { VOICES } from '@mindbot/tenancy';

/**
 * A block of values: a misspelt key is refused rather than silently ignored, and every key may be left
 * out (values.yaml holds the defaults).
 */
function block<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape).partial();
}

/** The same pattern, or the empty string that the templates read as "not set". */
const orEmpty = (pattern: RegExp) => new RegExp(`^$|${pattern.source}`);

const REGION = /^[a-z]+-[a-z]+$/;
const TRUST_PROXY = /^(true|false|\d+|[0-9a-fA-F:./, ]+)$/;

/** The name of an existing Secret; empty: none. */
const existingSecret = z.string().regex(/^$|^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
/** A key inside a Secret. */
const secretKey = z.string().regex(/^[-._a-zA-Z0-9]+$/);
const httpUrlOrEmpty = z.string().regex(/^$|^https?:\/\//);
const cidr = z.string().regex(/^[0-9a-f:.]+\/\d{1,3}$/);
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).describe('Log level.');
/** Passed to the container as written; Kubernetes validates its contents. */
const resources = z.looseObject({ requests: z.unknown(), limits: z.unknown() }).describe('Container resources (requests and limits).');
const replicas = z.int().min(1).describe('Replicas when autoscaling is off.');

const autoscalingShape = {
  enabled: z.boolean().describe('A HorizontalPodAutoscaler owns the replicas.'),
  minReplicas: z.int().min(1).describe('Fewest replicas.'),
  maxReplicas: z.int().min(1).describe('Most replicas.'),
  targetCPUUtilizationPercentage: z.int().min(1).max(100).describe('Target CPU utilisation (percent of requests).'),
};

const podDisruptionBudget = (minAvailable: string) => block({ minAvailable: z.int().min(0).describe(minAvailable) });

/** What gateway, billing and sso each have. */
const serviceShape = (trustProxy: RegExp) => ({
  enabled: z.boolean().describe('Run this service.'),
  replicas,
  logLevel,
  trustProxy: z.string().regex(trustProxy).describe('express "trust proxy": false, true, a hop count or addresses (TRUST_PROXY).'),
  extraEnv: z
    .record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), z.union([z.string(), z.number(), z.boolean()]))
    .describe('Other plain variables of the service config, by name.'),
  resources,
  autoscaling: block(autoscalingShape),
  podDisruptionBudget: podDisruptionBudget('Pods that must stay up during voluntary disruptions.'),
  service: block({ type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).describe('Service type.') }),
});

/** Where a service finds one variable: an existing Secret and the key in it. */
const secretRef = (variable: string) =>
  block({
    existingSecret: existingSecret.describe(`Secret holding ${variable}.`),
    key: secretKey.describe(`Key of ${variable}.`),
  });

const gateway = block({
  ...serviceShape(orEmpty(TRUST_PROXY)),
  regionUrls: z
    .record(z.string().regex(REGION), z.string().regex(/^https?:\/\/[^/?#\s]*\{tenant\}[^/?#\s]*$/))
    .describe('REGION_URLS: region to URL template with {tenant} in the host.'),
  livekit: block({
    existingSecret: existingSecret.describe('Secret with LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET.'),
    apiUrl: httpUrlOrEmpty.describe('LIVEKIT_API_URL.'),
  }),
  voiceTokenTtlSeconds: z.int().min(30).max(3600).describe('VOICE_TOKEN_TTL_SECONDS.'),
  webhooks: secretRef('WEBHOOK_SECRET_KEYS'),
  rateLimit: block({
    whenRedisDown: z.enum(['local', 'open', 'closed']).describe('RATE_LIMIT_WHEN_REDIS_DOWN.'),
    principalShare: z.number().gt(0).max(1).describe('RATE_LIMIT_PRINCIPAL_SHARE.'),
    ipShare: z.number().gt(0).max(1).describe('RATE_LIMIT_IP_SHARE.'),
  }),
  ingress: block({
    enabled: z.boolean().describe('Route the base domain and its wildcards to the gateway.'),
    className: z.string().describe('IngressClass name.'),
    annotations: z.record(z.string(), z.string()).describe('Ingress annotations.'),
    tlsSecret: existingSecret.describe('Existing TLS Secret covering every host.'),
    extraHosts: z.array(z.string().min(1)).describe('More hosts.'),
  }),
});

const billing = block({
  ...serviceShape(TRUST_PROXY),
  stripe: block({
    existingSecret: existingSecret.describe('Secret with STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET.'),
    secretKeyKey: secretKey.describe('Key of STRIPE_SECRET_KEY.'),
    webhookSecretKey: secretKey.describe('Key of STRIPE_WEBHOOK_SECRET.'),
    livemode: z.boolean().describe('STRIPE_LIVEMODE.'),
  }),
  appUrl: httpUrlOrEmpty.describe('BILLING_APP_URL; empty: <publicScheme>://<baseDomain>.'),
  metering: block({
    chunkSeconds: z.int().min(1).max(3600).describe('METERING_CHUNK_SECONDS.'),
    warnSeconds: z.int().min(1).max(3600).describe('METERING_WARN_SECONDS.'),
    heartbeatTimeoutSeconds: z.int().min(1).max(3600).describe('METERING_HEARTBEAT_TIMEOUT_SECONDS.'),
    sweepIntervalSeconds: z.int().min(1).max(3600).describe('METERING_SWEEP_INTERVAL_SECONDS.'),
  }),
  activationMaxFailures: z.int().min(1).max(1000).describe('ACTIVATION_MAX_FAILURES.'),
});

const sso = block({
  ...serviceShape(TRUST_PROXY),
  existingSecret: existingSecret.describe('Secret with SSO_SIGNING_KEYS, SSO_SIGNING_KID, SSO_SECRET_KEYS.'),
  signingKeysKey: secretKey.describe('Key of SSO_SIGNING_KEYS.'),
  signingKidKey: secretKey.describe('Key of SSO_SIGNING_KID.'),
  secretKeysKey: secretKey.describe('Key of SSO_SECRET_KEYS.'),
  accessTokenTtlSeconds: z.int().min(30).max(3600).describe('SSO_ACCESS_TOKEN_TTL_SECONDS.'),
  refreshTokenTtlSeconds: z.int().min(300).max(7_776_000).describe('SSO_REFRESH_TOKEN_TTL_SECONDS.'),
  sessionTtlSeconds: z.int().min(300).max(31_536_000).describe('SSO_SESSION_TTL_SECONDS.'),
  clockSkewSeconds: z.int().min(0).max(300).describe('SSO_CLOCK_SKEW_SECONDS.'),
  dnsServers: z.array(z.string().regex(/^[0-9a-fA-F:.[\]]+$/)).describe('SSO_DNS_SERVERS.'),
  passwordMaxFailures: z.int().min(1).max(100).describe('SSO_PASSWORD_MAX_FAILURES.'),
  passwordLockoutSeconds: z.int().min(1).max(86_400).describe('SSO_PASSWORD_LOCKOUT_SECONDS.'),
  loginRate: block({
    perIp: z.int().min(1).max(1_000_000).describe('SSO_LOGIN_RATE_PER_IP.'),
    perTenant: z.int().min(1).max(10_000_000).describe('SSO_LOGIN_RATE_PER_TENANT.'),
    windowSeconds: z.int().min(1).max(3600).describe('SSO_LOGIN_RATE_WINDOW_SECONDS.'),
  }),
});

const migrations = block({
  enabled: z.boolean().describe('Run mindbot db migrate in a pre-install/pre-upgrade hook Job.'),
  backoffLimit: z.int().min(0).max(10).describe('Retries of a failed migration Job.'),
  activeDeadlineSeconds: z.int().min(60).describe('Deadline of the migration Job.'),
  resources,
});

const operator = block({
  replicas: z.int().min(1).describe('Operator replicas.'),
  leaderElection: block({
    enabled: z.boolean().describe('Elect one active replica on a Lease.'),
    leaseDurationSeconds: z.int().min(1).describe('Lease duration.'),
    renewDeadlineSeconds: z.int().min(1).describe('Renew deadline.'),
    retryPeriodSeconds: z.int().min(1).describe('Retry period.'),
  }),
  workers: z.int().min(1).max(64).describe('Tenants reconciled at once.'),
  resyncPeriodSeconds: z.int().min(10).describe('Resync period.'),
  logLevel,
  billing: block({
    existingSecret: existingSecret.describe('Secret holding the platform Stripe key.'),
    key: secretKey.describe('Key of STRIPE_SECRET_KEY.'),
    livemode: z.boolean().describe('Live-mode key.'),
    recheckSeconds: z.int().min(1).describe('Recheck interval.'),
  }),
  resources,
});

const agentProviders = block({
  llm: z.enum(['none', 'openai']).describe('AGENT_LLM.'),
  llmModel: z.string().min(1).max(200).describe('AGENT_LLM_MODEL.'),
  llmBaseUrl: z
    .string()
    .regex(/^$|^https?:\/\/[^\s]+$/)
    .describe('AGENT_LLM_BASE_URL; empty: OpenAI.'),
  stt: z.enum(['none', 'openai', 'deepgram']).describe('AGENT_STT.'),
  tts: z.enum(['none', 'openai', 'elevenlabs', 'deepgram']).describe('AGENT_TTS (espeak is a development voice, not in the image).'),
  voiceMap: z.partialRecord(z.enum(VOICES), z.string().min(1).max(200)).describe('AGENT_VOICE_MAP: persona voice to provider voice id.'),
  existingSecret: existingSecret.describe('Secret with the provider API keys.'),
  openaiApiKeyKey: secretKey.describe('Key of OPENAI_API_KEY.'),
  deepgramApiKeyKey: secretKey.describe('Key of DEEPGRAM_API_KEY.'),
  elevenApiKeyKey: secretKey.describe('Key of ELEVEN_API_KEY.'),
  cidr: cidr.describe('CIDR of the providers.'),
});

const agentPool = block({
  enabled: z.boolean().describe("Run the region's shared agent pool (while voice is on)."),
  name: z
    .string()
    .regex(/^[a-z0-9-]{1,60}$/)
    .describe('AGENT_POOL_NAME of the pool and the gateway.'),
  livekitSecret: existingSecret.describe('LiveKit Secret of the pool; empty: gateway.livekit.existingSecret.'),
  logLevel,
  replicas,
  maxCalls: z.int().min(0).max(1000).describe('AGENT_MAX_CALLS; 0: load is CPU.'),
  loadThreshold: z.number().min(0.05).max(1).describe('AGENT_LOAD_THRESHOLD.'),
  idleProcesses: z.int().min(0).max(16).describe('AGENT_IDLE_PROCESSES.'),
  resources,
  autoscaling: block({
    ...autoscalingShape,
    scaleDownStabilizationSeconds: z.int().min(0).max(3600).describe('Seconds of lower load before a worker is removed.'),
  }),
  podDisruptionBudget: podDisruptionBudget('Workers that must stay up during voluntary disruptions.'),
});

const agent = block({
  image: z.string().describe('Image of the agents; empty: the platform image with the agent command.'),
  livekitSecret: z
    .string()
    .regex(/^[a-z0-9-]+\/[a-z0-9.-]+$/)
    .describe('Default LiveKit Secret <namespace>/<name>.'),
  livekitCidr: cidr.describe('CIDR of LiveKit.'),
  drainSeconds: z.int().min(1).max(7200).describe("AGENT_DRAIN_SECONDS; the pods' grace period is 30 s longer."),
  providers: agentProviders,
  redis: block({
    existingSecret: existingSecret.describe("Secret with the agents' REDIS_URL (a Redis user limited to agents:*)."),
    key: secretKey.describe('Key of REDIS_URL.'),
    cidr: cidr.describe('CIDR of that Redis.'),
    port: z.int().min(1).max(65_535).describe('Port of that Redis.'),
  }),
  pool: agentPool,
});

/** Kubernetes objects (NetworkPolicyPeers, NetworkPolicyEgressRules) passed through as written. */
const kubernetesObjects = (description: string) => z.array(z.looseObject({})).describe(description);

const networkPolicy = block({
  enabled: z.boolean().describe('NetworkPolicies for the platform pods.'),
  gatewayFrom: kubernetesObjects('NetworkPolicyPeers allowed to reach the gateway; empty: any.'),
  metricsFrom: kubernetesObjects('NetworkPolicyPeers allowed to scrape /metrics.'),
  egress: kubernetesObjects('NetworkPolicyEgressRules of the services; empty: egress not restricted.'),
});

const namespaceOrEmpty = z.string().regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
/** Kubernetes labels or annotations: qualified names to strings. */
const keyValues = (description: string) =>
  z
    .record(z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/), z.string())
    .describe(description);

const monitoring = block({
  prometheusRules: block({
    enabled: z.boolean().describe("A PrometheusRule with the platform's alerts."),
    namespace: namespaceOrEmpty.describe('Namespace of the PrometheusRule; empty: the release namespace.'),
    labels: keyValues('Extra labels of the PrometheusRule (e.g. the ruleSelector of your Prometheus).'),
    runbookBaseUrl: httpUrlOrEmpty.describe("URL of docs/runbooks.md; each alert's runbook_url is this and its anchor."),
  }),
  dashboards: block({
    enabled: z.boolean().describe('A ConfigMap with the Grafana dashboards, labelled grafana_dashboard: "1".'),
    namespace: namespaceOrEmpty.describe('Namespace of the ConfigMap; empty: the release namespace.'),
    labels: keyValues('Extra labels of the ConfigMap.'),
    annotations: keyValues('Annotations of the ConfigMap (e.g. grafana_folder).'),
  }),
  podMonitor: block({
    enabled: z.boolean().describe('A PodMonitor scraping /metrics of the operator, the services and the agents.'),
    namespace: namespaceOrEmpty.describe('Namespace of the PodMonitor; empty: the release namespace.'),
    labels: keyValues('Extra labels of the PodMonitor.'),
    interval: z
      .string()
      .regex(/^\d+(ms|s|m|h)$/)
      .describe('Scrape interval, e.g. 30s.'),
  }),
});

/** The values of the mindbot chart. */
export const chartValuesSchema = block({
  nameOverride: z.string().describe('Overrides the chart name in resource names.'),
  fullnameOverride: z.string().describe('Overrides the full resource name prefix.'),
  region: z.string().regex(orEmpty(REGION)).describe('The region this cluster serves.'),
  regions: z.array(z.string().regex(REGION)).min(1).describe('Every region the platform runs.'),
  baseDomain: z
    .string()
    .regex(/^$|^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/)
    .describe('The platform DNS name (BASE_DOMAIN).'),
  publicScheme: z.enum(['http', 'https']).describe('The scheme browsers use.'),
  image: block({
    repository: z.string().min(1).describe('The platform image repository.'),
    tag: z.string().describe('Image tag; defaults to appVersion.'),
    pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']),
  }),
  imagePullSecrets: z.array(z.string().min(1)).describe('Image pull Secret names.'),
  database: secretRef('DATABASE_URL'),
  redis: secretRef('REDIS_URL'),
  auth: block({
    issuer: httpUrlOrEmpty.describe('iss of platform tokens; empty: <publicScheme>://<baseDomain>.'),
    audience: z.string().min(1).describe('Audience of platform tokens.'),
    jwksUrl: httpUrlOrEmpty.describe('JWKS URL; empty: this release sso Service.'),
  }),
  internalAuth: block({
    existingSecret: existingSecret.describe('Secret with the service tokens of /internal routes.'),
    tokenKey: secretKey.describe('Key of BILLING_SERVICE_TOKEN (presented by the gateway, and by the operator to SSO).'),
    acceptedTokensKey: secretKey.describe('Key of BILLING_SERVICE_TOKENS (accepted by billing, and by SSO as SSO_SERVICE_TOKENS).'),
  }),
  mail: block({
    existingSecret: existingSecret.describe('Secret holding SMTP_URL; empty: no mail is sent.'),
    key: secretKey.describe('Key of SMTP_URL.'),
    from: z.email().describe('MAIL_FROM: sender address of the tenants mail.'),
  }),
  services: block({
    databasePoolMax: z.int().min(1).max(200).describe('DATABASE_POOL_MAX.'),
    registryCacheTtlMs: z
      .int()
      .min(100)
      .max(3_600_000)
      .describe("REGISTRY_CACHE_TTL_MS: safety net of every service's tenant registry cache."),
    bodyLimit: z
      .string()
      .regex(/^\d+(kb|mb)$/)
      .describe('BODY_LIMIT.'),
    shutdownTimeoutSeconds: z.int().min(0).max(120).describe('Drain time on SIGTERM (SHUTDOWN_TIMEOUT_MS / 1000).'),
    tracing: block({
      exporter: z.enum(['none', 'console', 'otlp']).describe('OTEL_TRACES_EXPORTER.'),
      otlpEndpoint: httpUrlOrEmpty.describe('OTEL_EXPORTER_OTLP_ENDPOINT.'),
    }),
  }),
  gateway,
  billing,
  sso,
  migrations,
  operator,
  agent,
  platformNamespace: z
    .string()
    .regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .describe('Namespace of the platform services; empty: the release namespace.'),
  networkPolicy,
  serviceAccount: block({
    create: z.boolean().describe('Create the operator ServiceAccount.'),
    name: z.string().describe('Its name.'),
  }),
  metrics: block({
    port: z.int().min(1).max(65_535).describe('Operator health and metrics port.'),
  }),
  monitoring,
}).required({ region: true, database: true, operator: true });
