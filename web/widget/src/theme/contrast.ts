/** WCAG 2.x contrast: parse colours, measure, and correct a brand colour until text on it reaches AA. */

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** AA for normal text. */
export const AA_NORMAL = 4.5;

/** `#rgb` or `#rrggbb` (case-insensitive) as 0–255 channels; undefined for anything else. */
export function parseHexColor(value: string): Rgb | undefined {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim())?.[1];
  if (hex === undefined) return undefined;
  const full = hex.length === 3 ? hex.replace(/./g, '$&$&') : hex;
  return { r: parseInt(full.slice(0, 2), 16), g: parseInt(full.slice(2, 4), 16), b: parseInt(full.slice(4, 6), 16) };
}

export function toHex({ r, g, b }: Rgb): string {
  return `#${[r, g, b]
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function relativeLuminance({ r, g, b }: Rgb): number {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const WHITE: Rgb = { r: 255, g: 255, b: 255 };
const BLACK: Rgb = { r: 0, g: 0, b: 0 };

function mix(from: Rgb, to: Rgb, t: number): Rgb {
  return { r: from.r + (to.r - from.r) * t, g: from.g + (to.g - from.g) * t, b: from.b + (to.b - from.b) * t };
}

/**
 * The brand colour as a background behind `text`, darkened or lightened (towards black or white,
 * whichever moves away from the text) just enough for `minRatio`. The answer is the colour unchanged
 * when it already passes; an unparsable colour is answered as is with `corrected: false`.
 */
export function ensureContrast(
  background: string,
  text: string,
  minRatio = AA_NORMAL,
): { color: string; ratio: number; corrected: boolean } {
  const bg = parseHexColor(background);
  const fg = parseHexColor(text);
  if (bg === undefined || fg === undefined) return { color: background, ratio: Number.NaN, corrected: false };
  const initial = contrastRatio(bg, fg);
  if (initial >= minRatio) return { color: toHex(bg), ratio: initial, corrected: false };
  const target = relativeLuminance(fg) > 0.5 ? BLACK : WHITE;
  // Bisect the smallest mix towards the target that passes (the ratio grows monotonically along the way).
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    if (contrastRatio(mix(bg, target, mid), fg) >= minRatio) hi = mid;
    else lo = mid;
  }
  let corrected = parseHexColor(toHex(mix(bg, target, hi))) ?? target;
  // Rounding to 8-bit channels can land a hair under the ratio: step further until it passes.
  for (let t = hi; contrastRatio(corrected, fg) < minRatio && t < 1; t = Math.min(1, t + 0.01)) {
    corrected = parseHexColor(toHex(mix(bg, target, t))) ?? target;
  }
  return { color: toHex(corrected), ratio: contrastRatio(corrected, fg), corrected: true };
}

/** White or near-black text, whichever reads better on `background`. */
export function readableTextOn(background: string): string {
  const bg = parseHexColor(background);
  if (bg === undefined) return '#ffffff';
  return contrastRatio(bg, WHITE) >= contrastRatio(bg, { r: 17, g: 24, b: 39 }) ? '#ffffff' : '#111827';
}
