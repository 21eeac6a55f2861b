// SSO's IdP secrets and the gateway's webhook secrets are sealed the same way (ADR 0056).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

export interface KeyEncryptionKey {
  kid: string;
  key: Buffer;
}

const sealedSchema = z.object({
  v: z.literal(1),
  kek: z.string(),
  dek: z.string(),
  iv: z.string(),
  ct: z.string(),
});

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: string): { iv: Buffer; data: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const data = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { iv, data };
}

function gcmDecrypt(key: Buffer, iv: Buffer, data: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
}

/**
 * Envelope encryption of connection secrets: each value gets a fresh data key (AES-256-GCM), the data
 * key is wrapped by the key-encryption key from config. The context (tenant and connection) is bound
 * as associated data, so a sealed value copied to another row or tenant does not open.
 */
export class Envelope {
  constructor(private readonly keys: readonly KeyEncryptionKey[]) {
    if (keys.length === 0) throw new Error('At least one key-encryption key is required');
  }

  seal(plaintext: string, context: string): string {
    const [kek] = this.keys;
    if (!kek) throw new Error('No key-encryption key');
    const dek = randomBytes(32);
    const wrapped = gcmEncrypt(kek.key, dek, `dek|${context}`);
    const sealed = gcmEncrypt(dek, Buffer.from(plaintext, 'utf8'), context);
    return JSON.stringify({
      v: 1,
      kek: kek.kid,
      dek: Buffer.concat([wrapped.iv, wrapped.data]).toString('base64'),
      iv: sealed.iv.toString('base64'),
      ct: sealed.data.toString('base64'),
    });
  }

  open(sealedText: string, context: string): string {
    const sealed = sealedSchema.parse(JSON.parse(sealedText));
    const kek = this.keys.find((k) => k.kid === sealed.kek);
    if (!kek) throw new Error(`Unknown key-encryption key ${sealed.kek}`);
    const wrapped = Buffer.from(sealed.dek, 'base64');
    const dek = gcmDecrypt(kek.key, wrapped.subarray(0, 12), wrapped.subarray(12), `dek|${context}`);
    return gcmDecrypt(dek, Buffer.from(sealed.iv, 'base64'), Buffer.from(sealed.ct, 'base64'), context).toString('utf8');
  }
}
