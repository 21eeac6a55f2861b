import type { TokenResponse } from '@mindbot/sdk';

/** The part of Web Storage the widget uses (sessionStorage in a browser; a Map in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
}

/** A storage whose keys are prefixed with the tenant host, so two tenants' widgets on one page never share state. */
export function scopedStorage(storage: KeyValueStorage | undefined, tenantHost: string): KeyValueStorage {
  const prefix = `mindbot:${tenantHost}:`;
  const memory = new Map<string, string>();
  return {
    getItem: (key) => {
      try {
        return storage?.getItem(prefix + key) ?? memory.get(key) ?? null;
      } catch {
        return memory.get(key) ?? null;
      }
    },
    setItem: (key, value) => {
      memory.set(key, value);
      try {
        storage?.setItem(prefix + key, value);
      } catch {
        // Storage full or denied (private mode): memory alone keeps this page's session.
      }
    },
    removeItem: (key) => {
      memory.delete(key);
      try {
        storage?.removeItem(prefix + key);
      } catch {
        // As above.
      }
    },
  };
}

const TOKENS_KEY = 'tokens';

/** The signed-in user's tokens for one tenant: kept in memory and the tenant-scoped storage. */
export class TokenStore {
  constructor(private readonly storage: KeyValueStorage) {}

  get(): StoredTokens | undefined {
    const raw = this.storage.getItem(TOKENS_KEY);
    if (raw === null) return undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        'accessToken' in parsed &&
        'refreshToken' in parsed &&
        typeof parsed.accessToken === 'string' &&
        typeof parsed.refreshToken === 'string'
      ) {
        return { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken };
      }
    } catch {
      // A damaged entry is the same as none.
    }
    return undefined;
  }

  set(tokens: TokenResponse): void {
    this.storage.setItem(TOKENS_KEY, JSON.stringify({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token }));
  }

  clear(): void {
    this.storage.removeItem(TOKENS_KEY);
  }
}
