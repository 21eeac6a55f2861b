import { ConfigError } from '@mindbot/config';
import { loadGatewayConfig } from './config.js';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mindbot',
  AUTH_JWKS_URL: 'http://127.0.0.1:8082/.well-known/jwks.json',
  AUTH_ISSUER: 'https://sso.mindbot.test',
  BILLING_SERVICE_TOKEN: 'svc_0123456789abcdef0123456789abcdef',
  LIVEKIT_URL: 'ws://127.0.0.1:7880',
  LIVEKIT_API_KEY: 'devkey',
  LIVEKIT_API_SECRET: 'a-secret-of-at-least-thirty-two-characters',
};

describe('gateway configuration', () => {
  it('reads a complete environment with its defaults', () => {
    const config = loadGatewayConfig({ ...valid, REGION_URLS: '{"us-east":"https://{tenant}.us-east.mindbot.ai"}' });
    expect(config).toMatchObject({
      PORT: 8080,
      BASE_DOMAIN: 'localhost',
      RATE_LIMIT_WHEN_REDIS_DOWN: 'local',
      REGION_URLS: { 'us-east': 'https://{tenant}.us-east.mindbot.ai' },
    });
  });

  it('names every bad variable, never its value', () => {
    let error: unknown;
    try {
      loadGatewayConfig({
        ...valid,
        LIVEKIT_URL: 'http://x',
        BILLING_SERVICE_TOKEN: 'short-secret',
        REGION_URLS: '{"mars":"https://x"}',
        RATE_LIMIT_WHEN_REDIS_DOWN: 'maybe',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = error instanceof Error ? error.message : '';
    for (const name of ['LIVEKIT_URL', 'BILLING_SERVICE_TOKEN', 'REGION_URLS', 'RATE_LIMIT_WHEN_REDIS_DOWN'])
      expect(message).toContain(name);
    expect(message).not.toContain('short-secret');
  });
});
