import { jest } from '@jest/globals';
import { isId, newId, pooledRandom } from './ids.js';

describe('newId', () => {
  it('prefixes the id with the kind of object it names', () => {
    expect(newId('user')).toMatch(/^usr_[0-9a-z]{26}$/);
    expect(newId('tenant')).toMatch(/^ten_/);
  });

  it('sorts ids created later after ids created earlier, even within one millisecond', () => {
    const ids = Array.from({ length: 1000 }, () => newId('audit'));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('recognises its own ids and refuses ids of another kind or shape', () => {
    const id = newId('session');
    expect(isId('session', id)).toBe(true);
    expect(isId('user', id)).toBe(false);
    expect(isId('session', 'ses_not-a-ulid')).toBe(false);
  });
});

describe('pooled randomness', () => {
  it('keeps ids unique, well-formed and in order across refills of the random pool', () => {
    // A new millisecond for every id, so each draws 16 fresh characters: 1,000 ids use ~4 pools.
    let now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => ++now);
    try {
      const ids = Array.from({ length: 1000 }, () => newId('request'));
      expect(ids.every((id) => isId('request', id))).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(ids);
      const randomParts = ids.map((id) => id.slice(-16));
      expect(new Set(randomParts).size).toBe(ids.length);
      // Every character of the alphabet turns up in the random part, none outside it.
      expect(new Set(randomParts.join('')).size).toBe(32);
    } finally {
      clock.mockRestore();
    }
  });

  it('draws every character of the alphabet about equally often from a small pool refilled many times', () => {
    const random = pooledRandom(16);
    const draws = Array.from({ length: 32_000 }, () => random());
    expect(draws.every((r) => r >= 0 && r < 1)).toBe(true);
    const counts = new Array<number>(32).fill(0);
    for (const r of draws) {
      const index = Math.floor(r * 32);
      counts[index] = (counts[index] ?? 0) + 1;
    }
    // 1,000 expected per character; 6 standard deviations (~31) either side.
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });
});
