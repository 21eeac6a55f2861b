import { loadBillingConfig } from './config.js';

const valid = {
  DATABASE_URL: 'postgres://billing@127.0.0.1:5432/mindbot',
  STRIPE_SECRET_KEY: 'sk_test_123',
  STRIPE_WEBHOOK_SECRET: 'whsec_abc123',
  BILLING_SERVICE_TOKENS: 'a'.repeat(32),
  AUTH_JWKS_URL: 'http://127.0.0.1:8082/.well-known/jwks.json',
  AUTH_ISSUER: 'https://sso.mindbot.test',
};

describe('billing configuration', () => {
  it('reads a valid environment with defaults for metering', () => {
    const config = loadBillingConfig({ ...valid, BILLING_SERVICE_TOKENS: ` ${'a'.repeat(32)} , ${'b'.repeat(40)} ` });
    expect(config.BILLING_SERVICE_TOKENS).toEqual(['a'.repeat(32), 'b'.repeat(40)]);
    expect(config).toMatchObject({
      PORT: 8081,
      METERING_CHUNK_SECONDS: 60,
      METERING_WARN_SECONDS: 120,
      STRIPE_LIVEMODE: false,
      STRIPE_PARKED_EVENT_RETENTION_HOURS: 168,
    });
  });

  it('names every bad variable without echoing secrets', () => {
    let message = '';
    try {
      loadBillingConfig({
        ...valid,
        STRIPE_SECRET_KEY: 'pk_live_oops',
        STRIPE_WEBHOOK_SECRET: '',
        BILLING_SERVICE_TOKENS: 'short-secret-value',
        METERING_CHUNK_SECONDS: '-1',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'BILLING_SERVICE_TOKENS', 'METERING_CHUNK_SECONDS'])
      expect(message).toContain(name);
    expect(message).not.toContain('pk_live_oops');
    expect(message).not.toContain('short-secret-value');
  });
});
