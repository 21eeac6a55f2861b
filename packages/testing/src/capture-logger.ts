import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@mindbot/logger';

export interface CapturedLogger {
  logger: Logger;
  lines: Record<string, unknown>[];
}

/** A real logger whose JSON lines a test can read. */
export function captureLogger(name = 'test'): CapturedLogger {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ name, level: 'debug', destination }), lines };
}
