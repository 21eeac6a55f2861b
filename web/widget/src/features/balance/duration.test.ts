import { translator } from '../../i18n/index.js';
import { formatDate, formatDuration } from './duration.js';

describe('formatDuration', () => {
  const t = translator('en');
  it('reads as minutes and seconds', () => {
    expect(formatDuration(750, t)).toBe('12 min 30 s');
    expect(formatDuration(720, t)).toBe('12 min');
    expect(formatDuration(45, t)).toBe('45 s');
    expect(formatDuration(0, t)).toBe('0 s');
    expect(formatDuration(7500, t)).toBe('2 h 5 min');
    expect(formatDuration(-3, t)).toBe('0 s');
  });
  it('speaks German too', () => {
    expect(formatDuration(750, translator('de'))).toBe('12 Min. 30 s');
  });
  it('formats a date, or answers the input when it is none', () => {
    expect(formatDate('2027-01-31T12:00:00Z', 'en')).toMatch(/2027/);
    expect(formatDate('soon', 'en')).toBe('soon');
  });
});
