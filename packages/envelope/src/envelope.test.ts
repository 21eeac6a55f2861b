import { randomBytes } from 'node:crypto';
import { Envelope } from './envelope.js';
import { keyEncryptionKeysSchema } from './key-encryption-keys.js';

describe('envelope encryption', () => {
  const k1 = { kid: 'k1', key: randomBytes(32) };
  const k2 = { kid: 'k2', key: randomBytes(32) };

  it('opens what it sealed, only in the same context, and with a rotated-in key list', () => {
    const sealed = new Envelope([k1]).seal('whsec_secret', 'acme:whe_1');
    expect(sealed).not.toContain('whsec_secret');
    expect(new Envelope([k1]).open(sealed, 'acme:whe_1')).toBe('whsec_secret');
    expect(() => new Envelope([k1]).open(sealed, 'globex:whe_1')).toThrow();
    expect(new Envelope([k2, k1]).open(sealed, 'acme:whe_1')).toBe('whsec_secret');
    expect(() => new Envelope([k2]).open(sealed, 'acme:whe_1')).toThrow(/Unknown key-encryption key k1/);
  });

  it('reads key lists from the environment and refuses malformed ones', () => {
    const text = `k1:${k1.key.toString('base64')},k2:${k2.key.toString('base64')}`;
    expect(keyEncryptionKeysSchema.parse(text).map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(keyEncryptionKeysSchema.safeParse('k1:short').success).toBe(false);
    expect(keyEncryptionKeysSchema.safeParse(`bad id:${k1.key.toString('base64')}`).success).toBe(false);
  });
});
