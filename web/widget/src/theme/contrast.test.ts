import { contrastRatio, ensureContrast, parseHexColor, readableTextOn } from './contrast.js';

describe('contrast', () => {
  it('parses short and long hex colours and refuses anything else', () => {
    expect(parseHexColor('#fff')).toEqual({ r: 255, g: 255, b: 255 });
    expect(parseHexColor('#0A84ff')).toEqual({ r: 10, g: 132, b: 255 });
    expect(parseHexColor('red')).toBeUndefined();
    expect(parseHexColor('#12345')).toBeUndefined();
  });

  it('measures the WCAG ratio: black on white is 21, a colour on itself is 1', () => {
    expect(contrastRatio({ r: 0, g: 0, b: 0 }, { r: 255, g: 255, b: 255 })).toBeCloseTo(21, 5);
    expect(contrastRatio({ r: 10, g: 20, b: 30 }, { r: 10, g: 20, b: 30 })).toBe(1);
  });

  it('keeps a colour that already passes AA', () => {
    expect(ensureContrast('#1d4ed8', '#ffffff')).toMatchObject({ color: '#1d4ed8', corrected: false });
  });

  it('darkens a light brand colour behind white text until it passes AA', () => {
    const result = ensureContrast('#7dd3fc', '#ffffff');
    expect(result.corrected).toBe(true);
    expect(result.ratio).toBeGreaterThanOrEqual(4.5);
    const fixed = parseHexColor(result.color);
    expect(fixed).toBeDefined();
    if (fixed) expect(contrastRatio(fixed, { r: 255, g: 255, b: 255 })).toBeGreaterThanOrEqual(4.5);
    // Only as much as needed: still a blue, not black.
    expect(result.color).not.toBe('#000000');
  });

  it('lightens a dark colour behind dark text', () => {
    const result = ensureContrast('#333333', '#111827');
    expect(result.corrected).toBe(true);
    expect(result.ratio).toBeGreaterThanOrEqual(4.5);
  });

  it('answers an unparsable colour unchanged', () => {
    expect(ensureContrast('rebeccapurple', '#fff')).toMatchObject({ color: 'rebeccapurple', corrected: false });
  });

  it('picks the readable text colour for a background', () => {
    expect(readableTextOn('#000000')).toBe('#ffffff');
    expect(readableTextOn('#fde047')).toBe('#111827');
  });
});
