import type { InformerEvent } from './informer.js';
import type { KubeObject } from './kube-client.js';
import type { ResourceKind } from './resources.js';

export interface OwnedObject {
  kind: ResourceKind;
  object: KubeObject;
}

/**
 * The cached objects of every owned kind, grouped by the name of their controlling owner, kept
 * current from informer events. A reconcile that looks for what its owner no longer wants reads
 * its own dozen objects instead of scanning every cached object of every tenant (which made each
 * reconcile cost grow with the number of tenants).
 */
export class OwnerIndex {
  private readonly byOwner = new Map<string, Map<string, OwnedObject>>();
  private readonly ownerOfKey = new Map<string, string>();

  constructor(private readonly ownerKind: string) {}

  /** The controlling owner of this kind named by an object, if any. */
  ownerOf(object: KubeObject): string | undefined {
    return object.metadata.ownerReferences?.find((ref) => ref.kind === this.ownerKind && ref.controller === true)?.name;
  }

  observe(event: InformerEvent, kind: ResourceKind, object: KubeObject): void {
    const key = `${kind.apiVersion}/${kind.kind}|${object.metadata.namespace ?? ''}|${object.metadata.name}`;
    const previous = this.ownerOfKey.get(key);
    const owner = event === 'delete' ? undefined : this.ownerOf(object);
    if (previous !== undefined && previous !== owner) {
      const objects = this.byOwner.get(previous);
      objects?.delete(key);
      if (objects?.size === 0) this.byOwner.delete(previous);
      this.ownerOfKey.delete(key);
    }
    if (owner === undefined) return;
    let objects = this.byOwner.get(owner);
    if (!objects) this.byOwner.set(owner, (objects = new Map<string, OwnedObject>()));
    objects.set(key, { kind, object });
    this.ownerOfKey.set(key, owner);
  }

  /** Every cached object whose controlling owner has this name. */
  ownedBy(owner: string): OwnedObject[] {
    return [...(this.byOwner.get(owner)?.values() ?? [])];
  }
}
