import { z } from 'zod';
import { AppError } from './app-error.js';
import { CONTROL_CHARACTER_RULE, UNPAIRED_SURROGATE_RULE } from './input-characters.js';
import { parseInput } from './parse-input.js';

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const signUp = z.object({ email: z.string().max(254), displayName: z.string().min(1).optional() });

describe('parseInput', () => {
  it('refuses a NUL in a string with a 400 naming the field, where the schema alone would accept it (Postgres would answer a 500)', () => {
    expect(signUp.safeParse({ email: 'a\u0000b@example.test' }).success).toBe(true);
    const error = refusal(() => parseInput(signUp, { email: 'ok@example.test', displayName: 'Ada\u0000' }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.options.errors).toEqual([{ path: 'body.displayName', message: CONTROL_CHARACTER_RULE }]);
  });

  it('refuses other control characters, DEL and unpaired surrogates, in the query too, and keeps tab, line feed and carriage return', () => {
    for (const bad of ['\u0001', '\u001b[31m', 'x\u007f', '\u000b', '\u000c']) {
      expect(refusal(() => parseInput(z.object({ q: z.string() }), { q: bad }, 'query')).options.errors).toEqual([
        { path: 'query.q', message: CONTROL_CHARACTER_RULE },
      ]);
    }
    expect(parseInput(z.object({ note: z.string() }), { note: 'one\ttwo\r\nthree' })).toEqual({ note: 'one\ttwo\r\nthree' });
    expect(refusal(() => parseInput(z.object({ role: z.string() }), { role: '\udfff\ud800' })).options.errors).toEqual([
      { path: 'body.role', message: UNPAIRED_SURROGATE_RULE },
    ]);
  });

  it('lists control characters beside the schema’s own problems', () => {
    const error = refusal(() => parseInput(signUp, { email: 'x\u0000'.repeat(200), displayName: '' }));
    expect(error.options.errors?.map((e) => e.path)).toEqual(['body.email', 'body.email', 'body.displayName']);
  });
});
