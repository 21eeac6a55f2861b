import { ACTIVATION_ALPHABET, formatActivationCode, newActivationCode, normaliseActivationCode } from './activation-code.js';
import { applicationFeeCents } from './money.js';

describe('activation codes', () => {
  it('are 12 characters from an alphabet without look-alike characters', () => {
    for (const ambiguous of ['0', 'O', '1', 'I', 'L']) expect(ACTIVATION_ALPHABET).not.toContain(ambiguous);
    const codes = Array.from({ length: 2000 }, () => newActivationCode());
    for (const code of codes) expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('use every letter of the alphabet with roughly equal frequency (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) for (const ch of newActivationCode()) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const expected = (3000 * 12) / ACTIVATION_ALPHABET.length;
    expect(counts.size).toBe(ACTIVATION_ALPHABET.length);
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.2);
  });

  it('accept the shown form with dashes, spaces and lower case, and refuse anything else', () => {
    const code = newActivationCode();
    expect(normaliseActivationCode(formatActivationCode(code).toLowerCase())).toBe(code);
    expect(normaliseActivationCode(` ${code.slice(0, 6)} ${code.slice(6)} `)).toBe(code);
    for (const bad of ['', 'ABCD', `${code}A`, 'ABCD-EFGH-IJK0', 'ABCD-EFGH-JK;-']) expect(normaliseActivationCode(bad)).toBeUndefined();
  });
});

describe('the application fee', () => {
  it('is the percentage of the price in whole cents, rounded half up', () => {
    expect(applicationFeeCents(999, 10)).toBe(100);
    expect(applicationFeeCents(4499, 10)).toBe(450);
    expect(applicationFeeCents(29999, 12.5)).toBe(3750);
    expect(applicationFeeCents(999, 0)).toBe(0);
    expect(applicationFeeCents(10_000_000, 50)).toBe(5_000_000);
  });
});
