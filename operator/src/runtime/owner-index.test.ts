import type { KubeObject } from './kube-client.js';
import { OwnerIndex } from './owner-index.js';
import { CONFIG_MAP, NAMESPACE } from './resources.js';

const ownedBy = (tenant: string | undefined, name: string, namespace?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(tenant === undefined
      ? {}
      : {
          ownerReferences: [
            { apiVersion: 'platform.mindbot.ai/v1alpha1', kind: 'Tenant', name: tenant, uid: `uid-${tenant}`, controller: true },
          ],
        }),
  },
});

const names = (index: OwnerIndex, owner: string) =>
  index
    .ownedBy(owner)
    .map((o) => `${o.kind.kind}/${o.object.metadata.name}`)
    .sort();

describe('OwnerIndex', () => {
  it('lists only the objects a Tenant controls, of every kind, as they are added and deleted', () => {
    const index = new OwnerIndex('Tenant');
    index.observe('add', NAMESPACE, { ...ownedBy('acme', 'tenant-acme'), apiVersion: 'v1', kind: 'Namespace' });
    index.observe('add', CONFIG_MAP, ownedBy('acme', 'branding', 'tenant-acme'));
    index.observe('add', CONFIG_MAP, ownedBy('globex', 'branding', 'tenant-globex'));
    index.observe('add', CONFIG_MAP, ownedBy(undefined, 'unowned', 'tenant-acme'));
    expect(names(index, 'acme')).toEqual(['ConfigMap/branding', 'Namespace/tenant-acme']);
    expect(names(index, 'globex')).toEqual(['ConfigMap/branding']);

    index.observe('delete', CONFIG_MAP, ownedBy('acme', 'branding', 'tenant-acme'));
    expect(names(index, 'acme')).toEqual(['Namespace/tenant-acme']);
    expect(names(index, 'nobody')).toEqual([]);
  });

  it('moves an object whose controlling owner changed, and forgets one that lost it', () => {
    const index = new OwnerIndex('Tenant');
    index.observe('add', CONFIG_MAP, ownedBy('acme', 'shared', 'ns'));
    index.observe('update', CONFIG_MAP, ownedBy('globex', 'shared', 'ns'));
    expect(names(index, 'acme')).toEqual([]);
    expect(names(index, 'globex')).toEqual(['ConfigMap/shared']);
    index.observe('update', CONFIG_MAP, ownedBy(undefined, 'shared', 'ns'));
    expect(names(index, 'globex')).toEqual([]);
  });
});
