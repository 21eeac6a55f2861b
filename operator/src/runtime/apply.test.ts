import { isApplied, withAppliedHash } from './apply.js';

const desired = withAppliedHash({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'agent', namespace: 'tenant-a', labels: { app: 'agent' } },
  spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
});

describe('isApplied', () => {
  it('ignores what the API server adds (defaults, status, metadata)', () => {
    const live = {
      ...desired,
      metadata: { ...desired.metadata, uid: 'u', resourceVersion: '7', labels: { ...desired.metadata.labels, extra: 'x' } },
      spec: { clusterIP: '10.0.0.3', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }] },
      status: {},
    };
    expect(isApplied(desired, live)).toBe(true);
  });

  it('notices a changed value, a missing list item, a missing object, and an object being deleted', () => {
    expect(isApplied(desired, { ...desired, spec: { ports: [{ name: 'http', port: 81, protocol: 'TCP' }] } })).toBe(false);
    expect(isApplied(desired, { ...desired, spec: { ports: [] } })).toBe(false);
    expect(isApplied(desired, undefined)).toBe(false);
    expect(isApplied(desired, { ...desired, metadata: { ...desired.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } })).toBe(false);
  });

  it('notices a field the operator stopped stating, through the applied-hash annotation', () => {
    const before = withAppliedHash({
      ...desired,
      metadata: { name: 'agent', namespace: 'tenant-a' },
      spec: { ports: desired.spec.ports, sessionAffinity: 'ClientIP' },
    });
    const after = withAppliedHash({ ...desired, metadata: { name: 'agent', namespace: 'tenant-a' }, spec: { ports: desired.spec.ports } });
    expect(isApplied(after, before)).toBe(false);
  });
});
