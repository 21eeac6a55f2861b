import type { CacheItem, CacheProvider } from '@node-saml/node-saml';
import type { EphemeralStore } from '../data/ephemeral-store.js';

/**
 * node-saml's cache of the request ids this SP sent (the InResponseTo it will accept), kept in the
 * tenant's ephemeral store under `['saml', kind, connectionId, id]`: an id of another kind,
 * connection or tenant is unknown here. `onSave` runs beside each save (e.g. to file the
 * sign-in's relay under the same id).
 */
export function samlIdCache(
  store: EphemeralStore,
  tenant: string,
  scope: { kind: 'request' | 'logout'; connectionId: string; ttlSeconds: number },
  onSave?: (id: string) => Promise<void>,
): CacheProvider {
  const key = (id: string) => ['saml', scope.kind, scope.connectionId, id.slice(0, 200)];
  return {
    async saveAsync(id: string, value: string): Promise<CacheItem | null> {
      await onSave?.(id);
      await store.put(tenant, key(id), value, scope.ttlSeconds);
      return { value, createdAt: Date.now() };
    },
    async getAsync(id: string): Promise<string | null> {
      return (await store.get(tenant, key(id))) ?? null;
    },
    async removeAsync(id: string | null): Promise<string | null> {
      if (id === null) return null;
      return (await store.take(tenant, key(id))) ?? null;
    },
  };
}
