import { z } from 'zod';
import { ConfigError, envBoolean, loadConfig } from './load-config.js';

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  DATABASE_URL: z.url(),
  REDIS_ENABLED: envBoolean(true),
});

describe('loadConfig', () => {
  it('applies defaults and coerces strings into typed values', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://localhost/db', REDIS_ENABLED: 'no' });
    expect(config).toEqual({ PORT: 8080, DATABASE_URL: 'postgres://localhost/db', REDIS_ENABLED: false });
  });

  it('fails naming every bad variable without echoing its value', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'seventy', DATABASE_URL: 'not a url with s3cret', REDIS_ENABLED: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT');
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('REDIS_ENABLED');
    expect(message).not.toContain('s3cret');
  });

  it('names a missing required variable', () => {
    expect(() => loadConfig(schema, {})).toThrow(/DATABASE_URL/);
  });
});
