{{- define "mindbot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "mindbot.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "mindbot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mindbot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mindbot.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "mindbot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "mindbot.operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (printf "%s-operator" (include "mindbot.fullname" .)) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- /* The platform image: one image, the command selects operator, gateway, billing, sso or the CLI. */ -}}
{{- define "mindbot.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{- define "mindbot.platformNamespace" -}}
{{- .Values.platformNamespace | default .Release.Namespace -}}
{{- end -}}

{{- /* Components that serve HTTP behind a Service, in the order they are rendered. */ -}}
{{- define "mindbot.serviceNames" -}}
{{- $names := list -}}
{{- range $name := list "gateway" "billing" "sso" -}}
{{- if (index $.Values $name).enabled -}}{{- $names = append $names $name -}}{{- end -}}
{{- end -}}
{{- toJson $names -}}
{{- end -}}

{{- /*
Selector labels of a service's pods. app.kubernetes.io/name is mindbot-<service> whatever the
release or nameOverride: the operator's tenant NetworkPolicies let agents reach
mindbot-gateway and mindbot-billing by that label (operator/src/controllers/tenant/network-policy.ts).
*/ -}}
{{- define "mindbot.service.selectorLabels" -}}
app.kubernetes.io/name: mindbot-{{ .name }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "mindbot.service.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
{{ include "mindbot.service.selectorLabels" . }}
app.kubernetes.io/part-of: mindbot
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- end -}}

{{- /* In-cluster base URL of a service of this release: (dict "ctx" $ "name" "billing"). */ -}}
{{- define "mindbot.serviceUrl" -}}
{{- printf "http://%s-%s.%s.svc:8080" (include "mindbot.fullname" .ctx) .name .ctx.Release.Namespace -}}
{{- end -}}

{{- define "mindbot.authIssuer" -}}
{{- .Values.auth.issuer | default (printf "%s://%s" .Values.publicScheme .Values.baseDomain) -}}
{{- end -}}

{{- define "mindbot.jwksUrl" -}}
{{- .Values.auth.jwksUrl | default (printf "%s/.well-known/jwks.json" (include "mindbot.serviceUrl" (dict "ctx" . "name" "sso"))) -}}
{{- end -}}

{{- /* An env entry read from an existing Secret: (list "NAME" "secret" "key"). */ -}}
{{- define "mindbot.secretEnv" -}}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef: { name: {{ index . 1 | quote }}, key: {{ index . 2 | quote }} }
{{- end -}}

{{- /* Variables every service reads (packages/service-runtime/src/service-config.ts, packages/config). */ -}}
{{- define "mindbot.service.commonEnv" -}}
{{- $ctx := .ctx -}}
{{- $v := index $ctx.Values .name -}}
- { name: NODE_ENV, value: production }
- { name: LOG_LEVEL, value: {{ $v.logLevel | quote }} }
- { name: MINDBOT_REGION, value: {{ $ctx.Values.region | quote }} }
- { name: HOST, value: "0.0.0.0" }
- { name: PORT, value: "8080" }
{{ include "mindbot.secretEnv" (list "DATABASE_URL" $ctx.Values.database.existingSecret $ctx.Values.database.key) }}
- { name: DATABASE_POOL_MAX, value: {{ $ctx.Values.services.databasePoolMax | quote }} }
- { name: REGISTRY_CACHE_TTL_MS, value: {{ $ctx.Values.services.registryCacheTtlMs | quote }} }
{{- if $ctx.Values.redis.existingSecret }}
{{ include "mindbot.secretEnv" (list "REDIS_URL" $ctx.Values.redis.existingSecret $ctx.Values.redis.key) }}
{{- end }}
- { name: BASE_DOMAIN, value: {{ $ctx.Values.baseDomain | quote }} }
- { name: BODY_LIMIT, value: {{ $ctx.Values.services.bodyLimit | quote }} }
- { name: SHUTDOWN_TIMEOUT_MS, value: "{{ mul $ctx.Values.services.shutdownTimeoutSeconds 1000 }}" }
- { name: OTEL_TRACES_EXPORTER, value: {{ $ctx.Values.services.tracing.exporter | quote }} }
{{- if $ctx.Values.services.tracing.otlpEndpoint }}
- { name: OTEL_EXPORTER_OTLP_ENDPOINT, value: {{ $ctx.Values.services.tracing.otlpEndpoint | quote }} }
{{- end }}
{{- end -}}

{{- /* services/gateway/src/config.ts */ -}}
{{- define "mindbot.gateway.env" -}}
{{- $g := .Values.gateway -}}
{{ include "mindbot.service.commonEnv" (dict "ctx" . "name" "gateway") }}
- { name: TRUST_PROXY, value: {{ $g.trustProxy | default (ternary "1" "false" $g.ingress.enabled) | quote }} }
- { name: PUBLIC_SCHEME, value: {{ .Values.publicScheme | quote }} }
- { name: REGION_URLS, value: {{ toJson $g.regionUrls | quote }} }
- { name: AUTH_JWKS_URL, value: {{ include "mindbot.jwksUrl" . | quote }} }
- { name: AUTH_ISSUER, value: {{ include "mindbot.authIssuer" . | quote }} }
- { name: AUTH_AUDIENCE, value: {{ .Values.auth.audience | quote }} }
- { name: BILLING_URL, value: {{ include "mindbot.serviceUrl" (dict "ctx" . "name" "billing") | quote }} }
- { name: SSO_URL, value: {{ include "mindbot.serviceUrl" (dict "ctx" . "name" "sso") | quote }} }
{{ include "mindbot.secretEnv" (list "BILLING_SERVICE_TOKEN" .Values.internalAuth.existingSecret .Values.internalAuth.tokenKey) }}
{{- with $g.livekit }}
{{- if .existingSecret }}
{{ include "mindbot.secretEnv" (list "LIVEKIT_URL" .existingSecret "LIVEKIT_URL") }}
{{ include "mindbot.secretEnv" (list "LIVEKIT_API_KEY" .existingSecret "LIVEKIT_API_KEY") }}
{{ include "mindbot.secretEnv" (list "LIVEKIT_API_SECRET" .existingSecret "LIVEKIT_API_SECRET") }}
{{- if .apiUrl }}
- { name: LIVEKIT_API_URL, value: {{ .apiUrl | quote }} }
{{- end }}
{{- end }}
{{- end }}
{{- /* Shared-plan Tenants' calls go to the region's pool; dedicated ones to tenant-<slug>. */}}
- { name: AGENT_POOL_NAME, value: {{ .Values.agent.pool.name | quote }} }
{{- /* Refuse a voice session no ready worker could answer, once the agents report to the gateway's Redis. */}}
- { name: VOICE_REQUIRE_AGENT, value: {{ and .Values.agent.redis.existingSecret .Values.redis.existingSecret | empty | not | quote }} }
- { name: VOICE_TOKEN_TTL_SECONDS, value: {{ $g.voiceTokenTtlSeconds | quote }} }
{{- if $g.webhooks.existingSecret }}
{{ include "mindbot.secretEnv" (list "WEBHOOK_SECRET_KEYS" $g.webhooks.existingSecret $g.webhooks.key) }}
{{- end }}
{{- /* The jobs component sends the users' receipts, low-balance and expiring-minutes mail (ADR 0058). */}}
{{- if .Values.mail.existingSecret }}
{{ include "mindbot.secretEnv" (list "SMTP_URL" .Values.mail.existingSecret .Values.mail.key) }}
{{- end }}
- { name: MAIL_FROM, value: {{ .Values.mail.from | quote }} }
- { name: RATE_LIMIT_WHEN_REDIS_DOWN, value: {{ $g.rateLimit.whenRedisDown | quote }} }
- { name: RATE_LIMIT_PRINCIPAL_SHARE, value: {{ $g.rateLimit.principalShare | quote }} }
- { name: RATE_LIMIT_IP_SHARE, value: {{ $g.rateLimit.ipShare | quote }} }
{{- end -}}

{{- /* The agents' image: the platform image unless agent.image names another. */ -}}
{{- define "mindbot.agent.image" -}}
{{- .Values.agent.image | default (include "mindbot.image" .) -}}
{{- end -}}

{{- /* The provider keys the chosen providers cannot run without, as a JSON list (services/agent/src/config.ts). */ -}}
{{- define "mindbot.agent.requiredKeys" -}}
{{- $p := .Values.agent.providers -}}
{{- $keys := list -}}
{{- if or (and (eq $p.llm "openai") (not $p.llmBaseUrl)) (eq $p.stt "openai") (eq $p.tts "openai") -}}
{{- $keys = append $keys "OPENAI_API_KEY" -}}
{{- end -}}
{{- if or (eq $p.stt "deepgram") (eq $p.tts "deepgram") -}}
{{- $keys = append $keys "DEEPGRAM_API_KEY" -}}
{{- end -}}
{{- if eq $p.tts "elevenlabs" -}}
{{- $keys = append $keys "ELEVEN_API_KEY" -}}
{{- end -}}
{{- toJson $keys -}}
{{- end -}}

{{- /* Each provider key variable and its key in agent.providers.existingSecret. */ -}}
{{- define "mindbot.agent.keyNames" -}}
{{- $p := .Values.agent.providers -}}
{{- toJson (dict "OPENAI_API_KEY" $p.openaiApiKeyKey "DEEPGRAM_API_KEY" $p.deepgramApiKeyKey "ELEVEN_API_KEY" $p.elevenApiKeyKey) -}}
{{- end -}}

{{- /* The providers as the worker reads them (plain settings), for the pool and for the operator, which hands them to every dedicated agent. */ -}}
{{- define "mindbot.agent.providerSettings" -}}
{{- $p := .Values.agent.providers -}}
- { name: AGENT_LLM, value: {{ $p.llm | quote }} }
- { name: AGENT_LLM_MODEL, value: {{ $p.llmModel | quote }} }
{{- if $p.llmBaseUrl }}
- { name: AGENT_LLM_BASE_URL, value: {{ $p.llmBaseUrl | quote }} }
{{- end }}
- { name: AGENT_STT, value: {{ $p.stt | quote }} }
- { name: AGENT_TTS, value: {{ $p.tts | quote }} }
{{- if $p.voiceMap }}
- { name: AGENT_VOICE_MAP, value: {{ toJson $p.voiceMap | quote }} }
{{- end }}
{{- end -}}

{{- /* The LiveKit Secret of the shared pool (release namespace); empty when voice is off. */ -}}
{{- define "mindbot.agentPool.livekitSecret" -}}
{{- .Values.agent.pool.livekitSecret | default .Values.gateway.livekit.existingSecret -}}
{{- end -}}

{{- /* Whether the shared pool runs: enabled, and voice on. */ -}}
{{- define "mindbot.agentPool.enabled" -}}
{{- if and .Values.agent.pool.enabled (include "mindbot.agentPool.livekitSecret" .) -}}true{{- end -}}
{{- end -}}

{{- /* services/agent/src/config.ts, for the region's shared pool (no AGENT_TENANT: it serves any tenant, each call with that call's own credential). */ -}}
{{- define "mindbot.agentPool.env" -}}
{{- $pool := .Values.agent.pool -}}
{{- $livekit := include "mindbot.agentPool.livekitSecret" . -}}
- { name: NODE_ENV, value: production }
- { name: LOG_LEVEL, value: {{ $pool.logLevel | quote }} }
- { name: MINDBOT_REGION, value: {{ .Values.region | quote }} }
- { name: HOST, value: "0.0.0.0" }
- { name: PORT, value: "8081" }
{{ include "mindbot.secretEnv" (list "LIVEKIT_URL" $livekit "LIVEKIT_URL") }}
{{ include "mindbot.secretEnv" (list "LIVEKIT_API_KEY" $livekit "LIVEKIT_API_KEY") }}
{{ include "mindbot.secretEnv" (list "LIVEKIT_API_SECRET" $livekit "LIVEKIT_API_SECRET") }}
- { name: BILLING_URL, value: {{ include "mindbot.serviceUrl" (dict "ctx" . "name" "billing") | quote }} }
- { name: AGENT_POOL_NAME, value: {{ $pool.name | quote }} }
- { name: AGENT_DRAIN_SECONDS, value: {{ .Values.agent.drainSeconds | quote }} }
- { name: AGENT_MAX_CALLS, value: {{ $pool.maxCalls | quote }} }
- { name: AGENT_LOAD_THRESHOLD, value: {{ $pool.loadThreshold | quote }} }
- { name: AGENT_IDLE_PROCESSES, value: {{ $pool.idleProcesses | quote }} }
{{- with .Values.agent.redis }}
{{- if .existingSecret }}
{{ include "mindbot.secretEnv" (list "REDIS_URL" .existingSecret .key) }}
{{- end }}
{{- end }}
{{ include "mindbot.agent.providerSettings" . }}
{{- with .Values.agent.providers.existingSecret }}
{{- /* Optional: the Secret holds the keys of the providers chosen (validate.yaml insists on the Secret); others may be absent. */}}
{{- range $variable, $key := include "mindbot.agent.keyNames" $ | fromJson }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef: { name: {{ $.Values.agent.providers.existingSecret | quote }}, key: {{ $key | quote }}, optional: true }
{{- end }}
{{- end }}
{{- end -}}

{{- /* services/billing/src/config.ts */ -}}
{{- define "mindbot.billing.env" -}}
{{- $b := .Values.billing -}}
{{ include "mindbot.service.commonEnv" (dict "ctx" . "name" "billing") }}
- { name: TRUST_PROXY, value: {{ $b.trustProxy | quote }} }
{{ include "mindbot.secretEnv" (list "STRIPE_SECRET_KEY" $b.stripe.existingSecret $b.stripe.secretKeyKey) }}
{{ include "mindbot.secretEnv" (list "STRIPE_WEBHOOK_SECRET" $b.stripe.existingSecret $b.stripe.webhookSecretKey) }}
- { name: STRIPE_LIVEMODE, value: {{ $b.stripe.livemode | quote }} }
{{ include "mindbot.secretEnv" (list "BILLING_SERVICE_TOKENS" .Values.internalAuth.existingSecret .Values.internalAuth.acceptedTokensKey) }}
- { name: AUTH_JWKS_URL, value: {{ include "mindbot.jwksUrl" . | quote }} }
- { name: AUTH_ISSUER, value: {{ include "mindbot.authIssuer" . | quote }} }
- { name: AUTH_AUDIENCE, value: {{ .Values.auth.audience | quote }} }
- { name: BILLING_APP_URL, value: {{ $b.appUrl | default (printf "%s://%s" .Values.publicScheme .Values.baseDomain) | quote }} }
- { name: METERING_CHUNK_SECONDS, value: {{ $b.metering.chunkSeconds | quote }} }
- { name: METERING_WARN_SECONDS, value: {{ $b.metering.warnSeconds | quote }} }
- { name: METERING_HEARTBEAT_TIMEOUT_SECONDS, value: {{ $b.metering.heartbeatTimeoutSeconds | quote }} }
- { name: METERING_SWEEP_INTERVAL_SECONDS, value: {{ $b.metering.sweepIntervalSeconds | quote }} }
- { name: ACTIVATION_MAX_FAILURES, value: {{ $b.activationMaxFailures | quote }} }
{{- end -}}

{{- /* services/sso/src/config.ts */ -}}
{{- define "mindbot.sso.env" -}}
{{- $s := .Values.sso -}}
{{ include "mindbot.service.commonEnv" (dict "ctx" . "name" "sso") }}
- { name: TRUST_PROXY, value: {{ $s.trustProxy | quote }} }
- { name: SSO_ISSUER, value: {{ include "mindbot.authIssuer" . | quote }} }
- { name: SSO_AUDIENCE, value: {{ .Values.auth.audience | quote }} }
{{ include "mindbot.secretEnv" (list "SSO_SIGNING_KEYS" $s.existingSecret $s.signingKeysKey) }}
{{ include "mindbot.secretEnv" (list "SSO_SIGNING_KID" $s.existingSecret $s.signingKidKey) }}
{{ include "mindbot.secretEnv" (list "SSO_SECRET_KEYS" $s.existingSecret $s.secretKeysKey) }}
- { name: SSO_ACCESS_TOKEN_TTL_SECONDS, value: {{ $s.accessTokenTtlSeconds | quote }} }
- { name: SSO_REFRESH_TOKEN_TTL_SECONDS, value: {{ $s.refreshTokenTtlSeconds | quote }} }
- { name: SSO_SESSION_TTL_SECONDS, value: {{ $s.sessionTtlSeconds | quote }} }
- { name: SSO_CLOCK_SKEW_SECONDS, value: {{ $s.clockSkewSeconds | quote }} }
- { name: SSO_PUBLIC_SCHEME, value: {{ .Values.publicScheme | quote }} }
{{- if $s.dnsServers }}
- { name: SSO_DNS_SERVERS, value: {{ join "," $s.dnsServers | quote }} }
{{- end }}
- { name: SSO_PASSWORD_MAX_FAILURES, value: {{ $s.passwordMaxFailures | quote }} }
- { name: SSO_PASSWORD_LOCKOUT_SECONDS, value: {{ $s.passwordLockoutSeconds | quote }} }
- { name: SSO_LOGIN_RATE_PER_IP, value: {{ $s.loginRate.perIp | quote }} }
- { name: SSO_LOGIN_RATE_PER_TENANT, value: {{ $s.loginRate.perTenant | quote }} }
- { name: SSO_LOGIN_RATE_WINDOW_SECONDS, value: {{ $s.loginRate.windowSeconds | quote }} }
{{- /* The operator's calls (the owners' invitations) carry the token the gateway presents to billing. */}}
{{- if .Values.internalAuth.existingSecret }}
{{ include "mindbot.secretEnv" (list "SSO_SERVICE_TOKENS" .Values.internalAuth.existingSecret .Values.internalAuth.acceptedTokensKey) }}
{{- end }}
{{- if .Values.mail.existingSecret }}
{{ include "mindbot.secretEnv" (list "SMTP_URL" .Values.mail.existingSecret .Values.mail.key) }}
{{- end }}
- { name: MAIL_FROM, value: {{ .Values.mail.from | quote }} }
{{- end -}}

{{- /*
The env of a service: the chart's variables, then extraEnv. extraEnv may not repeat a variable the
chart sets, nor carry a secret (those come from Secrets only).
*/ -}}
{{- define "mindbot.service.env" -}}
{{- $env := include (printf "mindbot.%s.env" .name) .ctx | fromYamlArray -}}
{{- $managed := list -}}
{{- range $env -}}{{- $managed = append $managed .name -}}{{- end -}}
{{- $extra := (index .ctx.Values .name).extraEnv -}}
{{- range $key := keys $extra | sortAlpha -}}
{{- if has $key $managed -}}
{{- fail (printf "%s.extraEnv.%s is set by the chart: use its own value instead" $.name $key) -}}
{{- end -}}
{{- if or (has $key (list "DATABASE_URL" "REDIS_URL" "LIVEKIT_URL" "SMTP_URL")) (regexMatch "(SECRET|TOKENS?|PASSWORD|KEYS?)(_FILE)?$" $key) -}}
{{- fail (printf "%s.extraEnv.%s looks like a secret: secrets come from existing Secrets only, never from values" $.name $key) -}}
{{- end -}}
{{- $env = append $env (dict "name" $key "value" (toString (index $extra $key))) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}
