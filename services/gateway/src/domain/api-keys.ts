import { createHash, randomBytes } from 'node:crypto';
import type { TenantClients } from '@mindbot/db';
import type { Logger } from '@mindbot/logger';
import type { PgListener } from '@mindbot/tenant-registry';
import { API_KEY_REVOKED_CHANNEL, ApiKeyRecords, type ApiKeyRow } from '../data/api-keys.js';

/** What an API key may be allowed to do; a closed set, checked by the routes. */
export const API_KEY_PERMISSIONS = ['voice:sessions', 'api-keys:read'] as const;
export type ApiKeyPermission = (typeof API_KEY_PERMISSIONS)[number];
export type ApiKeyEnvironment = 'live' | 'test';

/** `mb_live_` or `mb_test_` followed by 43 base64url characters (256 random bits). */
export const API_KEY_PATTERN = /^mb_(live|test)_[A-Za-z0-9_-]{43}$/;

export interface ApiKeyView {
  id: string;
  name: string;
  environment: ApiKeyEnvironment;
  hint: string;
  permissions: string[];
  /** The user who made the key. */
  createdBy: string;
  /** The session it was made in; null for keys made before sessions were recorded. */
  createdBySession: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** Who makes a key: a signed-in user, in one of their sessions. */
export interface ApiKeyCreator {
  userId: string;
  sessionId: string;
}

/** A verified key, as the routes see it. */
export interface VerifiedApiKey {
  id: string;
  tenant: string;
  environment: ApiKeyEnvironment;
  permissions: readonly string[];
}

interface CachedVerification {
  value: (VerifiedApiKey & { expiresAt: number | null }) | null;
  at: number;
}

const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

function viewOf(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    environment: row.environment === 'live' ? 'live' : 'test',
    hint: row.hint,
    permissions: row.permissions,
    createdBy: row.createdBy,
    createdBySession: row.createdBySession,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/**
 * API keys of every tenant, stored in the tenant's own schema. Verification is a SHA-256 and a map
 * lookup once a key has been seen: results (including "no such key") are cached for a short while,
 * and a revocation anywhere reaches every gateway at once through NOTIFY. `last_used_at` is written
 * at most once a minute per key, off the request path.
 */
export class ApiKeys {
  private readonly cache = new Map<string, CachedVerification>();
  private readonly lastUsedWritten = new Map<string, number>();
  private readonly records: ApiKeyRecords;

  constructor(
    tenants: TenantClients,
    private readonly logger: Logger,
    listener: PgListener | undefined,
    private readonly options: { ttlMs: number; negativeTtlMs: number; lastUsedEveryMs: number } = {
      ttlMs: 60_000,
      negativeTtlMs: 10_000,
      lastUsedEveryMs: 60_000,
    },
  ) {
    this.records = new ApiKeyRecords(tenants);
    listener?.on(API_KEY_REVOKED_CHANNEL, (payload) => this.cache.delete(payload));
    listener?.onReconnect(() => this.cache.clear());
  }

  async create(
    tenant: string,
    input: { name: string; environment: ApiKeyEnvironment; permissions: readonly ApiKeyPermission[]; expiresAt?: Date | undefined },
    creator: ApiKeyCreator,
  ): Promise<{ key: string; apiKey: ApiKeyView }> {
    const key = `mb_${input.environment}_${randomBytes(32).toString('base64url')}`;
    const row = await this.records.create(tenant, {
      name: input.name,
      environment: input.environment,
      secretHash: sha256(key),
      hint: key.slice(-4),
      permissions: [...new Set(input.permissions)],
      createdBy: creator.userId,
      createdBySession: creator.sessionId,
      expiresAt: input.expiresAt ?? null,
    });
    return { key, apiKey: viewOf(row) };
  }

  async list(tenant: string): Promise<ApiKeyView[]> {
    return (await this.records.list(tenant, 500)).map(viewOf);
  }

  /** Revokes a key (idempotent) on every gateway; false when the tenant has no such key. */
  async revoke(tenant: string, id: string, actor: string): Promise<boolean> {
    const hash = await this.records.revoke(tenant, id, actor);
    if (hash === undefined) return false;
    this.cache.delete(`${tenant}:${hash}`);
    return true;
  }

  /** The key's identity and permissions, or null for a malformed, unknown, revoked or expired key. */
  async verify(tenant: string, key: string): Promise<VerifiedApiKey | null> {
    if (!API_KEY_PATTERN.test(key)) return null;
    const hash = sha256(key);
    const cacheKey = `${tenant}:${hash}`;
    const now = Date.now();
    let hit = this.cache.get(cacheKey);
    if (!hit || now - hit.at > (hit.value ? this.options.ttlMs : this.options.negativeTtlMs)) {
      const row = await this.records.bySecretHash(tenant, hash);
      const value =
        row && !row.revokedAt
          ? {
              id: row.id,
              tenant,
              environment: row.environment === 'live' ? ('live' as const) : ('test' as const),
              permissions: row.permissions,
              expiresAt: row.expiresAt?.getTime() ?? null,
            }
          : null;
      hit = { value, at: now };
      if (this.cache.size >= 50_000) this.cache.clear();
      this.cache.set(cacheKey, hit);
    }
    const found = hit.value;
    if (!found || (found.expiresAt !== null && found.expiresAt <= now)) return null;
    this.touch(tenant, found.id, now);
    return { id: found.id, tenant: found.tenant, environment: found.environment, permissions: found.permissions };
  }

  private touch(tenant: string, id: string, now: number): void {
    const last = this.lastUsedWritten.get(id) ?? 0;
    if (now - last < this.options.lastUsedEveryMs) return;
    this.lastUsedWritten.set(id, now);
    if (this.lastUsedWritten.size > 50_000) this.lastUsedWritten.clear();
    this.records
      .recordUse(tenant, id, new Date(now))
      .catch((error: unknown) => this.logger.warn({ err: error, apiKeyId: id }, 'could not record API key use'));
  }
}
