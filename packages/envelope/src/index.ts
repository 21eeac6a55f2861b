export { Envelope, type KeyEncryptionKey } from './envelope.js';
export { keyEncryptionKeysSchema } from './key-encryption-keys.js';
