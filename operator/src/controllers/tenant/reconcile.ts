import { tenantManifestSchema, type TenantManifest } from '@mindbot/tenancy';
import { ProvisioningError, type ExistingTenant, type TenantProvisioner } from '@mindbot/provisioning';
import type { Logger } from '@mindbot/logger';
import {
  API_VERSION,
  KIND,
  TENANTS_PATH,
  TENANT_FINALIZER,
  type Condition,
  type Tenant,
  type TenantStatus,
} from '../../api/v1alpha1/tenant-types.js';
import { hashOf, isApplied } from '../../runtime/apply.js';
import { findCondition, setCondition, type ConditionInput } from '../../runtime/conditions.js';
import type { EventRecorder } from '../../runtime/event-recorder.js';
import type { ResilientInformer } from '../../runtime/informer.js';
import { KubeApiError, isNotFound, type KubeClient, type KubeObject } from '../../runtime/kube-client.js';
import { DEPLOYMENT, SECRET, kindKey, resourcePath, type ResourceKind } from '../../runtime/resources.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import type { OwnerIndex } from '../../runtime/owner-index.js';
import type { ControllerMetrics } from '../../runtime/metrics.js';
import { BILLING_STATE_REASONS, stripeReasonOf, type BillingStep } from './billing.js';
import { inviteOwners, type OwnersStep } from './owners.js';
import { PROVIDER_KEYS, requiredProviderKeys } from './agent-providers.js';
import { REDIS_KEY, redisUrl } from './agent-redis.js';
import { AGENT_NAME, TENANT_LABEL, hasDedicatedAgent, namespaceOf, type TenantContext, type WorkloadConfig } from './context.js';
import { desiredObjects } from './desired-objects.js';
import { LIVEKIT_KEYS } from './livekit-secret.js';

export interface OwnedCache {
  kind: ResourceKind;
  informer: ResilientInformer<KubeObject>;
}

export interface TenantReconcilerDeps {
  client: KubeClient;
  tenants: ResilientInformer<Tenant>;
  /** Caches of every owned kind, by `apiVersion/kind`. */
  owned: ReadonlyMap<string, OwnedCache>;
  /** The same cached objects grouped by their controlling Tenant. */
  ownerIndex: Pick<OwnerIndex, 'ownedBy'>;
  /** Cache of the Secrets in the default LiveKit Secret's namespace (LiveKit and provider Secrets); references elsewhere are read from the API server. */
  livekitSources: ResilientInformer<KubeObject>;
  provisioner: TenantProvisioner;
  config: WorkloadConfig & {
    /** Regions the platform runs; a Tenant in another region is refused with a condition. */
    knownRegions: readonly string[];
  };
  /** The Stripe Connect step; undefined when the operator has no Stripe key (BillingReady: NotConfigured). */
  billing?: BillingStep | undefined;
  /** Inviting `spec.owners` through SSO; undefined when the operator does not know SSO (no OwnersInvited condition). */
  owners?: OwnersStep | undefined;
  /** Kubernetes Events about each Tenant's transitions (what `kubectl describe tenant` shows). */
  events?: EventRecorder | undefined;
  logger: Logger;
  /** Where `mindbot_operator_reconcile_step_seconds` is recorded (how long each step took). */
  metrics?: Pick<ControllerMetrics, 'reconcileStepTime'> | undefined;
}

/** A step's verdict, and the error to retry on (with backoff) when it failed for a reason that may pass. */
interface StepResult {
  condition: ConditionInput;
  retry?: Error;
  /** Look again after this long although nothing failed (waiting on something outside Kubernetes). */
  requeueAfterMs?: number;
}

class StepFailure extends Error {
  constructor(readonly condition: ConditionInput) {
    super(condition.message);
    this.name = 'StepFailure';
  }
}

const connectionProblem =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|connect|reach database server|Connection terminated|timeout|^P10(01|02|08|17)$/i;

/** One line: Prisma puts the call site first and the cause last. */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const lines = error.message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (error.message.startsWith('\n') ? lines.at(-1) : lines[0]) ?? error.name;
}

function databaseFailure(type: 'DatabaseReady' | 'RegistryReady' | 'BillingReady', error: unknown): StepResult {
  if (error instanceof ProvisioningError) {
    const reason = error.code.replace(/(^|_)([a-z])/g, (_, __: string, c: string) => c.toUpperCase());
    return { condition: { type, status: 'False', reason, message: error.message }, retry: error };
  }
  const message = messageOf(error);
  const code: unknown = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  const down = connectionProblem.test(message) || (typeof code === 'string' && connectionProblem.test(code));
  return {
    condition: {
      type,
      status: 'False',
      reason: down ? 'DatabaseUnavailable' : 'ProvisioningFailed',
      message: down ? `the platform database is unreachable: ${unreachable(error) ?? message}` : message,
    },
    retry: error instanceof Error ? error : new Error(message),
  };
}

/** The same words for a refused connection whether Prisma or node-postgres met it (the latter names the address on the error). */
function unreachable(error: unknown): string | undefined {
  const { address, port } = (error ?? {}) as { address?: unknown; port?: unknown };
  return typeof address === 'string' && typeof port === 'number' ? `Can't reach database server at ${address}:${port}` : undefined;
}

const unknownUntil = (type: string, reason: string, message: string): ConditionInput => ({ type, status: 'Unknown', reason, message });

/**
 * Reconciles one Tenant: database, registry, workload, then status — every time, each step
 * idempotent, writing to the API server only what differs from the informer caches.
 */
export class TenantReconciler {
  constructor(private readonly deps: TenantReconcilerDeps) {}

  /** Runs one step of a reconcile and records how long it took, failed or not. */
  private async timed<T>(step: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.deps.metrics?.reconcileStepTime.observe({ controller: 'tenant', step }, (performance.now() - started) / 1000);
    }
  }

  async reconcile(name: string): Promise<ReconcileResult | undefined> {
    const tenant = this.deps.tenants.get(name);
    if (!tenant) return undefined;
    const logger = this.deps.logger.child({ tenantId: name, generation: tenant.metadata.generation });
    if (tenant.metadata.deletionTimestamp !== undefined) return this.finalize(tenant, logger);
    if (!(tenant.metadata.finalizers ?? []).includes(TENANT_FINALIZER)) await this.timed('finalizer', () => this.addFinalizer(tenant));

    const results: StepResult[] = [];
    const extras: Pick<TenantStatus, 'namespace' | 'schema' | 'agentReplicas'> = {};
    const billing = this.deps.billing;
    const parsed = tenantManifestSchema.safeParse({ apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec: tenant.spec });
    const steps = billing
      ? ['DatabaseReady', 'RegistryReady', 'BillingReady', 'WorkloadReady']
      : ['DatabaseReady', 'RegistryReady', 'WorkloadReady'];
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `spec.${i.path.map(String).join('.')}: ${i.message}`).join('; ');
      for (const type of steps) results.push({ condition: unknownUntil(type, 'InvalidSpec', message) });
    } else if (!this.deps.config.knownRegions.includes(parsed.data.spec.region)) {
      const message = `region ${parsed.data.spec.region} is not one this platform runs (known: ${this.deps.config.knownRegions.join(', ')})`;
      const retry = new Error(message);
      for (const type of steps) results.push({ condition: { type, status: 'False', reason: 'UnknownRegion', message }, retry });
    } else {
      results.push(...(await this.provision(parsed.data, extras)));
      const registered = results.every((r) => r.condition.status === 'True');
      if (billing) {
        results.push(
          registered
            ? await this.billing(billing, parsed.data, tenant, logger)
            : {
                condition: unknownUntil(
                  'BillingReady',
                  'WaitingForRegistry',
                  'the Stripe account is made once the database and registry are ready',
                ),
              },
        );
      }
      // The workload does not wait for billing: an agent can run while the tenant finishes Stripe onboarding.
      if (registered) results.push(await this.timed('workload', () => this.workload(tenant, extras, logger)));
      else
        results.push({
          condition: unknownUntil(
            'WorkloadReady',
            'WaitingForDatabase',
            'the workload is applied once the database and registry are ready',
          ),
        });
      if (registered && this.deps.owners && extras.schema !== undefined) {
        const prior = findCondition(tenant.status?.conditions, 'OwnersInvited');
        results.push(await inviteOwners(this.deps.owners, parsed.data, prior, tenant.metadata.generation));
      }
    }
    if (!billing)
      results.push({
        condition: unknownUntil(
          'BillingReady',
          'NotConfigured',
          'billing provisioning (Stripe Connect) is not configured in this operator; not required for Ready',
        ),
      });

    // Ready waits for neither an unconfigured billing nor the owners' mail.
    const required = results.filter((r) => (billing || r.condition.type !== 'BillingReady') && r.condition.type !== 'OwnersInvited');
    const failing = required.find((r) => r.condition.status !== 'True');
    const ready: ConditionInput = failing
      ? {
          type: 'Ready',
          status: 'False',
          reason: failing.condition.reason,
          message: `${failing.condition.type}: ${failing.condition.message}`,
        }
      : { type: 'Ready', status: 'True', reason: 'Reconciled', message: 'the tenant is provisioned and its workload applied' };
    await this.timed('status', () => this.writeStatus(tenant, [...results.map((r) => r.condition), ready], extras));

    const retry = results.find((r) => r.retry)?.retry;
    if (retry) throw retry;
    if (!failing) logger.debug('tenant reconciled');
    const waits = results.flatMap((r) => (r.requeueAfterMs === undefined ? [] : [r.requeueAfterMs]));
    return waits.length > 0 ? { requeueAfterMs: Math.min(...waits) } : undefined;
  }

  /**
   * Stripe Connect: `ensure` (which calls Stripe and records the account) when the spec is new to
   * billing; for an unchanged Tenant whose `ensure` already succeeded, only the recorded state
   * (kept current by `account.updated` webhooks) is read, so a resync calls Stripe and writes nothing.
   */
  private async billing(step: BillingStep, manifest: TenantManifest, tenant: Tenant, logger: Logger): Promise<StepResult> {
    const prior = findCondition(tenant.status?.conditions, 'BillingReady');
    const ensured =
      prior !== undefined && prior.observedGeneration === tenant.metadata.generation && BILLING_STATE_REASONS.has(prior.reason);
    try {
      const recorded = ensured ? await step.accounts.current(manifest.metadata.name) : null;
      const result = recorded ?? (await step.accounts.ensure(manifest));
      if (result.created) logger.info({ stripeAccountId: result.stripeAccountId }, 'stripe connect account created');
      const condition: ConditionInput = {
        ...result.condition,
        message: `Stripe account ${result.stripeAccountId}: ${result.condition.message}`,
      };
      return condition.status === 'True' ? { condition } : { condition, requeueAfterMs: step.recheckMs };
    } catch (error) {
      const stripe = stripeReasonOf(error);
      if (stripe === undefined) return databaseFailure('BillingReady', error);
      const message = `Stripe: ${messageOf(error)}`;
      return {
        condition: { type: 'BillingReady', status: 'False', reason: stripe, message },
        retry: error instanceof Error ? error : new Error(message),
      };
    }
  }

  private async provision(manifest: TenantManifest, extras: Pick<TenantStatus, 'schema'>): Promise<StepResult[]> {
    const { provisioner } = this.deps;
    let existing: ExistingTenant | null;
    try {
      existing = await this.timed('conflicts', () => provisioner.checkConflicts(manifest));
    } catch (error) {
      const failed = databaseFailure(error instanceof ProvisioningError ? 'RegistryReady' : 'DatabaseReady', error);
      const other = failed.condition.type === 'RegistryReady' ? 'DatabaseReady' : 'RegistryReady';
      return [failed, { condition: unknownUntil(other, failed.condition.reason, `waiting: ${failed.condition.message}`) }];
    }
    let database: StepResult;
    try {
      const outcome = await this.timed('database', () => provisioner.ensureDatabase(manifest));
      if (outcome.schema) extras.schema = outcome.schema;
      database = {
        condition: outcome.home
          ? {
              type: 'DatabaseReady',
              status: 'True',
              reason: 'SchemaReady',
              message: `schema ${outcome.schema ?? ''} and its role exist, all migrations applied`,
            }
          : {
              type: 'DatabaseReady',
              status: 'True',
              reason: 'NotInThisRegion',
              message: `the tenant's data lives in region ${manifest.spec.region}`,
            },
      };
    } catch (error) {
      const failed = databaseFailure('DatabaseReady', error);
      return [
        failed,
        { condition: unknownUntil('RegistryReady', 'WaitingForDatabase', 'the registry row is written once the database is ready') },
      ];
    }
    try {
      await this.timed('registry', () => provisioner.ensureRegistry(manifest, existing));
      return [
        database,
        {
          condition: { type: 'RegistryReady', status: 'True', reason: 'Registered', message: 'the platform registry row matches the spec' },
        },
      ];
    } catch (error) {
      return [database, databaseFailure('RegistryReady', error)];
    }
  }

  private cacheOf(kind: ResourceKind): ResilientInformer<KubeObject> {
    const cache = this.deps.owned.get(kindKey(kind.apiVersion, kind.kind));
    if (!cache) throw new Error(`no informer for ${kind.kind}`);
    return cache.informer;
  }

  private async workload(tenant: Tenant, extras: Pick<TenantStatus, 'namespace' | 'agentReplicas'>, logger: Logger): Promise<StepResult> {
    const { config, client } = this.deps;
    const slug = tenant.metadata.name;
    if (tenant.spec.region !== config.region) {
      return {
        condition: {
          type: 'WorkloadReady',
          status: 'True',
          reason: 'NotInThisRegion',
          message: `the agent runs in region ${tenant.spec.region}`,
        },
      };
    }
    const namespace = namespaceOf(slug);
    extras.namespace = namespace;
    try {
      // A tenant of the shared pool runs no agent here, so it needs neither credentials nor keys.
      const dedicated = hasDedicatedAgent(tenant);
      const livekit = dedicated ? await this.livekitCredentials(tenant) : {};
      const providerKeys = dedicated ? await this.providerKeys() : {};
      const redis = dedicated ? await this.redisUrl() : {};
      const ctx: TenantContext = { tenant, slug, namespace, config, livekit, providerKeys, redis };
      const desired = desiredObjects(ctx);
      const stale = desired.filter(
        (object) => !isApplied(object, this.cacheOf(this.kindOf(object)).get(object.metadata.name, object.metadata.namespace)),
      );
      const applyOne = (object: KubeObject) =>
        client.apply(resourcePath(this.kindOf(object), object.metadata.namespace, object.metadata.name), object);
      // The namespace first; what lives in it has no order among itself, so it goes in parallel.
      for (const object of stale.filter((o) => o.metadata.namespace === undefined)) await applyOne(object);
      await Promise.all(stale.filter((o) => o.metadata.namespace !== undefined).map(applyOne));
      const changed = stale.length;
      const pruned = await this.timed('prune', () => this.prune(slug, tenant.metadata.uid, desired));
      if (changed + pruned > 0) {
        logger.info({ applied: changed, pruned }, 'workload changed');
        this.deps.events?.record(
          tenant,
          'Normal',
          'WorkloadApplied',
          'Apply',
          `applied ${changed} and pruned ${pruned} objects in namespace ${namespace}`,
        );
      }
      const deployment = this.cacheOf(DEPLOYMENT).get(AGENT_NAME, namespace);
      const available = (deployment?.status as { availableReplicas?: number } | undefined)?.availableReplicas;
      if (available !== undefined) extras.agentReplicas = available;
      const served = dedicated ? '' : "; its calls are served by the region's shared agent pool";
      return {
        condition: {
          type: 'WorkloadReady',
          status: 'True',
          reason: 'Applied',
          message: `${desired.length} objects in namespace ${namespace} match the spec${served}`,
        },
      };
    } catch (error) {
      if (error instanceof StepFailure) return { condition: error.condition, retry: error };
      const message = messageOf(error);
      return {
        condition: {
          type: 'WorkloadReady',
          status: 'False',
          reason: error instanceof KubeApiError ? `Apply${error.reason}` : 'ApplyFailed',
          message,
        },
        retry: error instanceof Error ? error : new Error(message),
      };
    }
  }

  private kindOf(object: KubeObject): ResourceKind {
    const cache = this.deps.owned.get(kindKey(object.apiVersion, object.kind));
    if (!cache) throw new Error(`no informer for ${object.kind}`);
    return cache.kind;
  }

  /** A Secret from the cache when it lives in the default LiveKit Secret's namespace (watched), else from the API server. */
  private async readSecret(ref: { namespace: string; name: string }): Promise<{ data?: Record<string, string> } | undefined> {
    return ref.namespace === this.deps.config.defaultLivekitSecret.namespace
      ? (this.deps.livekitSources.get(ref.name, ref.namespace) as { data?: Record<string, string> } | undefined)
      : await this.deps.client.get<{ data?: Record<string, string> }>(resourcePath(SECRET, ref.namespace, ref.name));
  }

  /** Reads the referenced LiveKit Secret; a missing Secret or key stops the workload step before anything is applied. */
  private async livekitCredentials(tenant: Tenant): Promise<Record<string, string>> {
    const ref = tenant.spec.agent.livekitSecretRef ?? this.deps.config.defaultLivekitSecret;
    const field = tenant.spec.agent.livekitSecretRef ? 'spec.agent.livekitSecretRef' : 'the operator default (LIVEKIT_SECRET)';
    const secret = await this.readSecret(ref);
    if (!secret) {
      throw new StepFailure({
        type: 'WorkloadReady',
        status: 'False',
        reason: 'SecretNotFound',
        message: `Secret ${ref.namespace}/${ref.name} named by ${field} does not exist`,
      });
    }
    const missing = LIVEKIT_KEYS.filter((key) => !secret.data?.[key]);
    if (missing.length > 0) {
      throw new StepFailure({
        type: 'WorkloadReady',
        status: 'False',
        reason: 'SecretInvalid',
        message: `Secret ${ref.namespace}/${ref.name} lacks ${missing.join(', ')}`,
      });
    }
    return Object.fromEntries(LIVEKIT_KEYS.map((key) => [key, secret.data?.[key] ?? '']));
  }

  /**
   * The provider keys of the operator's provider Secret (AGENT_PROVIDER_SECRET), by variable name: those
   * it holds. A missing Secret, or one without a key the chosen providers need (the worker would refuse
   * to start), stops the workload step before anything is applied.
   */
  private async providerKeys(): Promise<Record<string, string>> {
    const providers = this.deps.config.agentProviders;
    const ref = providers.secret;
    if (ref === undefined) return {};
    const secret = await this.readSecret(ref);
    if (!secret) {
      throw new StepFailure({
        type: 'WorkloadReady',
        status: 'False',
        reason: 'SecretNotFound',
        message: `Secret ${ref.namespace}/${ref.name} named by the operator's AGENT_PROVIDER_SECRET does not exist`,
      });
    }
    const missing = requiredProviderKeys(providers).filter((variable) => !secret.data?.[providers.keys[variable]]);
    if (missing.length > 0) {
      const named = missing.map((variable) =>
        providers.keys[variable] === variable ? variable : `${providers.keys[variable]} (${variable})`,
      );
      const chosen = `AGENT_LLM=${providers.llm}, AGENT_STT=${providers.stt}, AGENT_TTS=${providers.tts}`;
      throw new StepFailure({
        type: 'WorkloadReady',
        status: 'False',
        reason: 'SecretInvalid',
        message: `Secret ${ref.namespace}/${ref.name} lacks ${named.join(', ')}, which ${chosen} need`,
      });
    }
    return Object.fromEntries(
      PROVIDER_KEYS.flatMap((variable) => {
        const value = secret.data?.[providers.keys[variable]];
        return value ? [[variable, value]] : [];
      }),
    );
  }

  /** REDIS_URL of the operator's agent Redis Secret (AGENT_REDIS_SECRET); a missing Secret, key or a value the worker would refuse stops the workload step. */
  private async redisUrl(): Promise<Record<string, string>> {
    const config = this.deps.config.agentRedis;
    if (config === undefined) return {};
    const { secret: ref, key } = config;
    const secret = await this.readSecret(ref);
    if (!secret) {
      throw new StepFailure({
        type: 'WorkloadReady',
        status: 'False',
        reason: 'SecretNotFound',
        message: `Secret ${ref.namespace}/${ref.name} named by the operator's AGENT_REDIS_SECRET does not exist`,
      });
    }
    const value = secret.data?.[key];
    if (!value || redisUrl(Buffer.from(value, 'base64').toString()) === undefined) {
      const problem = value ? `whose ${key} is not a redis:// or rediss:// URL` : `lacks ${key}`;
      throw new StepFailure({
        type: 'WorkloadReady',
        status: 'False',
        reason: 'SecretInvalid',
        message: `Secret ${ref.namespace}/${ref.name} ${problem}`,
      });
    }
    return { [REDIS_KEY]: value };
  }

  /** Deletes objects this tenant owns that are no longer desired (e.g. the HPA of a suspended tenant). */
  private async prune(slug: string, uid: string, desired: readonly KubeObject[]): Promise<number> {
    const wanted = new Set(desired.map((o) => `${kindKey(o.apiVersion, o.kind)}|${o.metadata.namespace ?? ''}|${o.metadata.name}`));
    let pruned = 0;
    for (const { kind, object: live } of this.deps.ownerIndex.ownedBy(slug)) {
      if (live.metadata.labels?.[TENANT_LABEL] !== slug || live.metadata.deletionTimestamp !== undefined) continue;
      if (!live.metadata.ownerReferences?.some((ref) => ref.uid === uid && ref.controller === true)) continue;
      if (wanted.has(`${kindKey(kind.apiVersion, kind.kind)}|${live.metadata.namespace ?? ''}|${live.metadata.name}`)) continue;
      try {
        await this.deps.client.delete(resourcePath(kind, live.metadata.namespace, live.metadata.name));
        pruned++;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return pruned;
  }

  private async writeStatus(
    tenant: Tenant,
    inputs: readonly ConditionInput[],
    extras: Pick<TenantStatus, 'namespace' | 'schema' | 'agentReplicas'>,
  ): Promise<void> {
    const generation = tenant.metadata.generation ?? 0;
    let conditions: Condition[] = [...(tenant.status?.conditions ?? [])];
    for (const input of inputs) conditions = setCondition(conditions, input, generation);
    const order = ['DatabaseReady', 'RegistryReady', 'BillingReady', 'WorkloadReady', 'Ready'];
    conditions.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
    const status: TenantStatus = { observedGeneration: generation, conditions, ...extras };
    if (tenant.status && hashOf(tenant.status) === hashOf(status)) return;
    this.recordTransitions(tenant, conditions);
    await this.deps.client.apply(`${TENANTS_PATH}/${tenant.metadata.name}/status`, {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: tenant.metadata.name },
      status,
    });
  }

  /** An Event per step that newly fails (or fails for a new reason), and one when the Tenant becomes Ready. */
  private recordTransitions(tenant: Tenant, next: readonly Condition[]): void {
    const events = this.deps.events;
    if (!events) return;
    const prior = tenant.status?.conditions;
    const changed = (c: Condition) => {
      const before = findCondition(prior, c.type);
      return before?.status !== c.status || before.reason !== c.reason;
    };
    const failed = next.filter((c) => c.type !== 'Ready' && c.status === 'False' && changed(c));
    for (const c of failed) events.record(tenant, 'Warning', c.reason, c.type, `${c.type}: ${c.message}`);
    const ready = findCondition(next, 'Ready');
    if (!ready || !changed(ready)) return;
    if (ready.status === 'True') events.record(tenant, 'Normal', 'Ready', 'Reconcile', ready.message);
    else if (ready.status === 'False' && failed.length === 0) events.record(tenant, 'Warning', ready.reason, 'Reconcile', ready.message);
  }

  private async addFinalizer(tenant: Tenant): Promise<void> {
    const finalizers = tenant.metadata.finalizers;
    const patch = [
      { op: 'test', path: '/metadata/resourceVersion', value: tenant.metadata.resourceVersion },
      finalizers === undefined
        ? { op: 'add', path: '/metadata/finalizers', value: [TENANT_FINALIZER] }
        : { op: 'add', path: '/metadata/finalizers/-', value: TENANT_FINALIZER },
    ];
    await this.deps.client.request('PATCH', `${TENANTS_PATH}/${tenant.metadata.name}`, patch, 'application/json-patch+json');
  }

  /** Cleans up outside Kubernetes (billing account closed; registry row; schema per dataRetention), then lets the Tenant go. */
  private async finalize(tenant: Tenant, logger: Logger): Promise<undefined> {
    const finalizers = tenant.metadata.finalizers ?? [];
    const index = finalizers.indexOf(TENANT_FINALIZER);
    if (index < 0) return undefined;
    const dropData = tenant.spec.dataRetention === 'Delete';
    try {
      // Sales stop first; the Stripe account itself stays with the tenant (ADR 0020).
      await this.deps.billing?.accounts.close(tenant.metadata.name);
      const outcome = await this.deps.provisioner.deprovision(tenant.metadata.name, { dropData });
      logger.info({ ...outcome, dataRetention: tenant.spec.dataRetention }, 'tenant deprovisioned');
      const data = outcome.schemaDropped ? 'its schema dropped' : 'its schema kept (dataRetention)';
      this.deps.events?.record(tenant, 'Normal', 'Deprovisioned', 'Finalize', `registry row removed, ${data}`);
    } catch (error) {
      if (!(error instanceof ProvisioningError && error.code === 'unknown_tenant')) {
        const failed = databaseFailure('DatabaseReady', error);
        await this.writeStatus(
          tenant,
          [{ type: 'Ready', status: 'False', reason: 'CleanupFailed', message: `deleting: ${failed.condition.message}` }],
          {
            namespace: tenant.status?.namespace,
            schema: tenant.status?.schema,
          },
        );
        throw failed.retry ?? new Error(failed.condition.message);
      }
    }
    await this.deps.client.request(
      'PATCH',
      `${TENANTS_PATH}/${tenant.metadata.name}`,
      [
        { op: 'test', path: `/metadata/finalizers/${index}`, value: TENANT_FINALIZER },
        { op: 'remove', path: `/metadata/finalizers/${index}` },
      ],
      'application/json-patch+json',
    );
    return undefined;
  }
}
