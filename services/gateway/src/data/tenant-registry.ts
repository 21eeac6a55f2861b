import { z } from 'zod';
import type { PlatformClient, Prisma } from '@mindbot/db';
import type { PgListener } from './pg-listener.js';

export const TENANT_CHANGED_CHANNEL = 'mindbot_tenant_changed';

const brandingSchema = z.object({
  logoUrl: z.string(),
  primaryColor: z.string(),
  accentColor: z.string(),
  agentName: z.string(),
  greeting: z.string(),
});
const limitsSchema = z.object({
  requestsPerMinute: z.number().int().positive().default(600),
  concurrentSessions: z.number().int().positive().default(10),
  agentPool: z.enum(['dedicated', 'shared']).default('dedicated'),
});
const personaSchema = z.object({
  id: z.string(),
  name: z.string(),
  voice: z.string(),
  language: z.string().optional(),
  instructions: z.string(),
  greeting: z.string(),
});
const agentSchema = z
  .object({
    persona: z.string().default(''),
    voice: z.string().default('aurora'),
    language: z.string().default('en'),
    personas: z.array(personaSchema).default([]),
    defaultPersona: z.string().optional(),
    onboardingGreeting: z.string().optional(),
  })
  .loose();

/** A tenant as the gateway serves it, read from the platform registry. */
export interface TenantRecord {
  id: string;
  slug: string;
  displayName: string;
  region: string;
  /** provisioning | active | suspended | deprovisioning */
  status: string;
  /** Whether this region's database holds the tenant's data. */
  home: boolean;
  suspended: boolean;
  branding: z.output<typeof brandingSchema>;
  agent: z.output<typeof agentSchema>;
  limits: z.output<typeof limitsSchema>;
  /** The tenant's own host names (lower case). */
  domains: string[];
}

const WITH_DOMAINS = { domains: { select: { domain: true } } } as const;
type RegistryRow = Prisma.TenantGetPayload<{ include: typeof WITH_DOMAINS }>;

interface Entry<T> {
  value: T;
  at: number;
}

/**
 * The platform registry, cached in process. A change to a tenant row sends NOTIFY on
 * `mindbot_tenant_changed` (a trigger in the registry migration); the entries of that tenant and
 * every cached "unknown host" answer are dropped at once, so a new, changed or suspended tenant is
 * served correctly within the notification's latency. A TTL is the safety net, and it shrinks to a
 * couple of seconds while the listener is disconnected.
 */
export class TenantRegistry {
  private readonly bySlugCache = new Map<string, Entry<TenantRecord | null>>();
  private readonly byHostCache = new Map<string, Entry<string | null>>();
  private readonly loading = new Map<string, Promise<TenantRecord | null>>();
  private readonly loadingHosts = new Map<string, Promise<string | null>>();
  /** Bumped by every invalidation, so a read that raced with one is not cached. */
  private generation = 0;

  constructor(
    private readonly platform: PlatformClient,
    private readonly listener: PgListener | undefined,
    private readonly options: { ttlMs: number; maxEntries?: number } = { ttlMs: 60_000 },
  ) {
    listener?.on(TENANT_CHANGED_CHANNEL, (slug) => this.invalidate(slug));
    listener?.onReconnect(() => this.clear());
  }

  async bySlug(slug: string): Promise<TenantRecord | null> {
    const hit = this.bySlugCache.get(slug);
    if (hit && this.fresh(hit)) return hit.value;
    return this.singleFlight(slug, async () => {
      const generation = this.generation;
      const row = await this.platform.tenant.findUnique({ where: { slug }, include: WITH_DOMAINS });
      const record = row ? toRecord(row) : null;
      if (generation === this.generation) this.remember(this.bySlugCache, slug, record);
      return record;
    });
  }

  /** A tenant by one of its own domains. */
  async byDomain(host: string): Promise<TenantRecord | null> {
    const hit = this.byHostCache.get(host);
    if (hit && this.fresh(hit)) return hit.value === null ? null : this.bySlug(hit.value);
    const generation = this.generation;
    let pending = this.loadingHosts.get(host);
    if (!pending) {
      pending = this.platform.tenantDomain
        .findUnique({ where: { domain: host }, select: { tenant: { select: { slug: true } } } })
        .then((row) => row?.tenant.slug ?? null)
        .finally(() => this.loadingHosts.delete(host));
      this.loadingHosts.set(host, pending);
    }
    const slug = await pending;
    if (generation === this.generation) this.remember(this.byHostCache, host, slug);
    return slug === null ? null : this.bySlug(slug);
  }

  /** Drops what is known about `slug` and every negative answer (a new domain may now resolve). */
  invalidate(slug: string): void {
    this.generation += 1;
    this.bySlugCache.delete(slug);
    for (const [host, entry] of this.byHostCache) if (entry.value === slug || entry.value === null) this.byHostCache.delete(host);
  }

  clear(): void {
    this.generation += 1;
    this.bySlugCache.clear();
    this.byHostCache.clear();
  }

  private fresh(entry: Entry<unknown>): boolean {
    const ttl = this.listener && !this.listener.connected ? Math.min(2_000, this.options.ttlMs) : this.options.ttlMs;
    return Date.now() - entry.at < ttl;
  }

  private remember<T>(cache: Map<string, Entry<T>>, key: string, value: T): void {
    // Unknown hosts can be sprayed by anyone: keep the cache bounded.
    if (cache.size >= (this.options.maxEntries ?? 20_000)) cache.clear();
    cache.set(key, { value, at: Date.now() });
  }

  private singleFlight(key: string, load: () => Promise<TenantRecord | null>): Promise<TenantRecord | null> {
    const pending = this.loading.get(key);
    if (pending) return pending;
    const promise = load().finally(() => this.loading.delete(key));
    this.loading.set(key, promise);
    return promise;
  }
}

function toRecord(row: RegistryRow): TenantRecord {
  return {
    id: row.id,
    slug: row.slug,
    displayName: row.displayName,
    region: row.region,
    status: row.status,
    home: row.home,
    suspended: row.suspended,
    branding: brandingSchema.parse(row.branding),
    agent: agentSchema.parse(row.agent),
    limits: limitsSchema.parse(row.limits),
    domains: row.domains.map((d) => d.domain),
  };
}
