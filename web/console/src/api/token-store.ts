import type { TokenResponse } from '@mindbot/sdk';

/** The part of Web Storage the console uses (sessionStorage in a browser; a Map in tests). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A storage whose keys carry the tenant host, so two tenants' consoles in one browser never share state. */
export function scopedStorage(storage: KeyValueStorage | undefined, tenantHost: string): KeyValueStorage {
  const prefix = `mindbot-console:${tenantHost}:`;
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
        // Storage full or denied (private mode): memory alone keeps this tab signed in.
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

const REFRESH_KEY = 'refresh';

/**
 * The signed-in admin's tokens. The access token lives in memory only (a script injected later
 * cannot read it from storage); the refresh token is kept in the tab's sessionStorage so a reload
 * signs in again with one refresh, as the widget does.
 */
export class TokenStore {
  private accessToken: string | undefined;

  constructor(private readonly storage: KeyValueStorage) {}

  get access(): string | undefined {
    return this.accessToken;
  }

  get refresh(): string | undefined {
    return this.storage.getItem(REFRESH_KEY) ?? undefined;
  }

  set(tokens: TokenResponse): void {
    this.accessToken = tokens.access_token;
    this.storage.setItem(REFRESH_KEY, tokens.refresh_token);
  }

  clear(): void {
    this.accessToken = undefined;
    this.storage.removeItem(REFRESH_KEY);
  }
}
