import { Envelope, type KeyEncryptionKey } from '@mindbot/envelope';

/**
 * Signing secrets at rest: sealed with the key-encryption keys (WEBHOOK_SECRET_KEYS) bound to the
 * tenant and endpoint, so a sealed value copied to another row does not open. Without keys, secrets
 * are stored as they are (whsec_…), and such a value is still read after keys are configured.
 */
export class WebhookSecrets {
  private readonly envelope: Envelope | undefined;

  constructor(keys: readonly KeyEncryptionKey[] | undefined) {
    this.envelope = keys && keys.length > 0 ? new Envelope(keys) : undefined;
  }

  get sealing(): boolean {
    return this.envelope !== undefined;
  }

  seal(tenant: string, endpointId: string, secret: string): string {
    return this.envelope ? this.envelope.seal(secret, contextOf(tenant, endpointId)) : secret;
  }

  open(tenant: string, endpointId: string, stored: string): string {
    if (stored.startsWith('whsec_')) return stored;
    if (!this.envelope) throw new Error('A sealed webhook secret needs WEBHOOK_SECRET_KEYS to be opened');
    return this.envelope.open(stored, contextOf(tenant, endpointId));
  }
}

const contextOf = (tenant: string, endpointId: string) => `webhook-secret|${tenant}|${endpointId}`;
