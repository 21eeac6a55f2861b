import { CONTROL_CHARACTER_RULE, UNPAIRED_SURROGATE_RULE, characterProblems, characterRuleBroken } from './input-characters.js';

describe('characters no input field may hold', () => {
  it('are C0 controls but tab, line feed and carriage return, and DEL', () => {
    const refused = [...Array(32).keys(), 127].filter((c) => characterRuleBroken(`x${String.fromCharCode(c)}y`) === CONTROL_CHARACTER_RULE);
    expect(refused).toEqual([...Array(32).keys(), 127].filter((c) => c !== 9 && c !== 10 && c !== 13));
    expect(characterRuleBroken('plain text, ünïcödé, 😀, \u2028 and 中文')).toBeUndefined();
  });

  it('are unpaired surrogates (JSON escapes let them in; Postgres jsonb refuses them), not the pairs of an emoji', () => {
    for (const text of ['\ud800', 'a\udfff', '\udfff\ud800', `${'😀'.slice(0, 1)}x`, `x${'😀'.slice(1)}`])
      expect(characterRuleBroken(text)).toBe(UNPAIRED_SURROGATE_RULE);
    expect(characterRuleBroken('😀😀')).toBeUndefined();
  });

  it('are found in nested strings and in field names, which are escaped in the path', () => {
    expect(characterProblems({ items: [{ name: 'ok' }, { name: 'a\u0000' }, { role: '\udfff' }], ['k\u0000y']: 1 }, 'body')).toEqual([
      { path: 'body.k\\u0000y', message: 'Field names must not contain control characters or unpaired surrogates.' },
      { path: 'body.items.1.name', message: CONTROL_CHARACTER_RULE },
      { path: 'body.items.2.role', message: UNPAIRED_SURROGATE_RULE },
    ]);
    expect(characterProblems('\u0000', '')).toEqual([{ path: '(root)', message: CONTROL_CHARACTER_RULE }]);
    expect(characterProblems({ a: 1, b: [true, null, 'fine'] }, 'body')).toEqual([]);
  });

  it('are reported ten at most, at any depth, without running out of stack', () => {
    expect(characterProblems(Array(50).fill('\u0000'), 'body')).toHaveLength(10);
    let deep: unknown = '\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const [problem, ...more] = characterProblems(deep, 'body');
    expect(more).toEqual([]);
    // The path names where it is, cut short: the problem stays small however deep the body.
    expect(problem?.path).toBe(`${`body${'.0'.repeat(100)}`.slice(0, 200)}…`);
  });
});
