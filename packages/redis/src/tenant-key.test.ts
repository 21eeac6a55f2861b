import { tenantKey } from './tenant-key.js';

describe('tenantKey', () => {
  it('puts the tenant in a hash tag at the start of every key', () => {
    expect(tenantKey('acme', 'ratelimit', 'user', 'usr_1')).toBe('t:{acme}:ratelimit:user:usr_1');
  });

  it('refuses a tenant that could escape its hash tag or prefix', () => {
    for (const bad of ['', 'ACME', 'a}b', 'a:b', 'x{y', '-acme']) {
      expect(() => tenantKey(bad, 'k')).toThrow(/tenant slug/);
    }
  });

  it('refuses a key that is only the tenant prefix', () => {
    expect(() => tenantKey('acme')).toThrow(/at least one part/);
  });
});
