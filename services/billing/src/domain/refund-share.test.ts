import { secondsRefunded } from './refund-share.js';

describe('seconds given back for a refunded share of a purchase', () => {
  const starter = { seconds: 3600, amountCents: 999 };

  it('rounds down, so a refund never takes back more time than the money it returned', () => {
    // 1/999 of an hour is 3.6 s: the user keeps the fraction.
    expect(secondsRefunded(starter, 1)).toBe(3);
    expect(secondsRefunded(starter, 500)).toBe(1801);
    expect(secondsRefunded(starter, 999)).toBe(3600);
  });

  it('never exceeds the whole purchase, and ignores nonsense amounts', () => {
    expect(secondsRefunded(starter, 5000)).toBe(3600);
    expect(secondsRefunded(starter, -10)).toBe(0);
    expect(secondsRefunded(starter, 0)).toBe(0);
  });

  it('adds up to the same total however the refund is split', () => {
    const splits = [
      [1, 1, 1, 996],
      [333, 333, 333],
      [998, 1],
      [100, 200, 300, 399],
    ];
    for (const parts of splits) {
      let refunded = 0;
      let taken = 0;
      for (const cents of parts) {
        taken += secondsRefunded(starter, refunded + cents) - secondsRefunded(starter, refunded);
        refunded += cents;
      }
      expect(taken).toBe(3600);
    }
  });

  it('stays exact at the largest allowed purchase', () => {
    expect(secondsRefunded({ seconds: 72_000_000, amountCents: 10_000_000 }, 9_999_999)).toBe(71_999_992);
  });
});
