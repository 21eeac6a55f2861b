import { Writable } from 'node:stream';
import { createLogger } from './create-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes one JSON line per event with the service, level and fields', () => {
    const { lines, destination } = capture();
    createLogger({ name: 'billing', destination }).info({ tenantId: 'acme' }, 'tenant loaded');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'billing', level: 'info', tenantId: 'acme', msg: 'tenant loaded' });
  });

  it('redacts secrets and personal data at the top level and one level down', () => {
    const { lines, destination } = capture();
    createLogger({ name: 'sso', destination }).info(
      {
        password: 'hunter2',
        user: { email: 'grace@example.com', displayName: 'Grace Hopper', password: 'p4ss', apiKey: 'mb_live_abc' },
        email: 'alan@example.com',
        pii: { email: 'ada@example.com' },
        req: { headers: { authorization: 'Bearer eyJ', host: 'acme.example' } },
      },
      'login attempted',
    );
    const text = JSON.stringify(lines[0]);
    for (const secret of [
      'hunter2',
      'p4ss',
      'mb_live_abc',
      'ada@example.com',
      'grace@example.com',
      'Grace Hopper',
      'alan@example.com',
      'Bearer eyJ',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('acme.example');
  });

  it('carries request fields into child loggers', () => {
    const { lines, destination } = capture();
    createLogger({ name: 'gateway', destination }).child({ requestId: 'req_1', tenantId: 'acme' }).warn('slow');
    expect(lines[0]).toMatchObject({ requestId: 'req_1', tenantId: 'acme', level: 'warn' });
  });
});
