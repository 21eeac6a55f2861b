import { z } from 'zod';
import type { KeyEncryptionKey } from './envelope.js';

/** `kid:base64key,kid:base64key` from the environment: 32-byte key-encryption keys; the first seals, all open. */
export const keyEncryptionKeysSchema = z.string().transform((text, ctx): KeyEncryptionKey[] => {
  const keys = text.split(',').map((part) => {
    const [kid, material] = part.trim().split(':');
    return { kid: kid ?? '', key: Buffer.from(material ?? '', 'base64') };
  });
  if (keys.some((k) => !/^[A-Za-z0-9_-]{1,32}$/.test(k.kid) || k.key.length !== 32)) {
    ctx.addIssue({ code: 'custom', message: 'each entry must be <key id>:<32 bytes in base64>' });
    return z.NEVER;
  }
  return keys;
});
