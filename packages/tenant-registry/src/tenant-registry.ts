import type { PlatformClient } from '@mindbot/db';
import { slugOfPlatformHost, tenantSlugSchema } from '@mindbot/tenancy';
import type { PgListener } from './pg-listener.js';
import { servingOf } from './tenant-serving.js';
import { BRANDING_OVERRIDE_COLUMNS, toTenantRecord, WITH_DOMAINS, type TenantRecord } from './tenant-record.js';

export const TENANT_CHANGED_CHANNEL = 'mindbot_tenant_changed';

interface Entry<T> {
  value: T;
  at: number;
}

export interface TenantRegistryOptions {
  /** The region this process serves (`MINDBOT_REGION`): tenants of other regions are refused (servingOf). */
  region: string;
  /** Safety net of cached entries; changes normally arrive at once through LISTEN/NOTIFY. */
  ttlMs?: number;
  maxEntries?: number;
}

/**
 * The platform registry, cached in process: the one reader every service uses. A change to a tenant
 * row, or to its console branding edits, sends NOTIFY on `mindbot_tenant_changed` (triggers in the migrations); the entries of
 * that tenant and every cached "unknown host" answer are dropped at once, so a new, changed or
 * suspended tenant is served correctly within the notification's latency. A TTL is the safety net,
 * and it shrinks to a couple of seconds while the listener is disconnected.
 */
export class TenantRegistry {
  private readonly bySlugCache = new Map<string, Entry<TenantRecord | null>>();
  private readonly byHostCache = new Map<string, Entry<string | null>>();
  private readonly loading = new Map<string, Promise<TenantRecord | null>>();
  private readonly loadingHosts = new Map<string, Promise<string | null>>();
  /** Bumped by every invalidation, so a read that raced with one is not cached. */
  private generation = 0;
  private readonly ttlMs: number;

  constructor(
    private readonly platform: PlatformClient,
    private readonly listener: PgListener | undefined,
    private readonly options: TenantRegistryOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    listener?.on(TENANT_CHANGED_CHANNEL, (slug) => this.invalidate(slug));
    listener?.onReconnect(() => this.clear());
  }

  /** Settles once the listener's first connection attempt is over (it retries by itself after a failure). */
  ready(): Promise<void> {
    return this.listener ? this.listener.start() : Promise.resolve();
  }

  /** A tenant by slug; null for an unknown slug or one that is not a slug at all. */
  async bySlug(slug: string): Promise<TenantRecord | null> {
    if (!tenantSlugSchema.safeParse(slug).success) return null;
    const hit = this.bySlugCache.get(slug);
    if (hit && this.fresh(hit)) return hit.value;
    return this.singleFlight(slug, async () => {
      const generation = this.generation;
      // The console's branding edits live beside the manifest's row (ADR 0055); a save notifies on the same channel.
      const [row, override] = await Promise.all([
        this.platform.tenant.findUnique({ where: { slug }, include: WITH_DOMAINS }),
        this.platform.tenantBrandingOverride.findUnique({ where: { slug }, select: BRANDING_OVERRIDE_COLUMNS }),
      ]);
      const record = row ? toTenantRecord(row, override) : null;
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

  /** The tenant a host names: `<slug>.<base domain>` (also `<slug>.<region>.<base domain>`), else one of the tenants' own domains. */
  async byHost(host: string, baseDomain: string): Promise<TenantRecord | null> {
    const slug = slugOfPlatformHost(host, baseDomain);
    const bySlug = slug === undefined ? null : await this.bySlug(slug);
    return bySlug ?? this.byDomain(host);
  }

  /**
   * What {@link byHost} would answer from memory right now, without a query: the tenant when it is
   * known and fresh, else undefined (unknown, not cached, or stale: ask byHost).
   */
  knownByHost(host: string, baseDomain: string): TenantRecord | undefined {
    const slug = slugOfPlatformHost(host, baseDomain);
    const bySlug = slug === undefined ? undefined : this.bySlugCache.get(slug);
    if (bySlug?.value && this.fresh(bySlug)) return bySlug.value;
    const byDomain = this.byHostCache.get(host);
    if (!byDomain?.value || !this.fresh(byDomain)) return undefined;
    const tenant = this.bySlugCache.get(byDomain.value);
    return tenant?.value && this.fresh(tenant) ? tenant.value : undefined;
  }

  /** The tenant this region serves under `slug`; else throws the problem every service answers (servingOf). */
  async servedBySlug(slug: string): Promise<TenantRecord> {
    const serving = servingOf(await this.bySlug(slug), { region: this.options.region });
    if (!serving.served) throw serving.problem;
    return serving.tenant;
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
    const ttl = this.listener && !this.listener.connected ? Math.min(2_000, this.ttlMs) : this.ttlMs;
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
