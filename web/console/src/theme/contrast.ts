/** WCAG 2 contrast for the tenant's colours (the console's own copy: web/widget is another workspace). */

type Rgb = [number, number, number];

/** `#rgb` or `#rrggbb` as channels; undefined for anything else. */
export function parseHex(value: string): Rgb | undefined {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim())?.[1];
  if (hex === undefined) return undefined;
  const full = hex.length === 3 ? hex.replace(/./g, '$&$&') : hex;
  return [parseInt(full.slice(0, 2), 16), parseInt(full.slice(2, 4), 16), parseInt(full.slice(4, 6), 16)];
}

function toHex(rgb: Rgb): string {
  return `#${rgb
    .map((c) =>
      Math.round(Math.min(255, Math.max(0, c)))
        .toString(16)
        .padStart(2, '0'),
    )
    .join('')}`;
}

function luminance(rgb: Rgb): number {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [17, 24, 39];

/** White or near-black text, whichever reads better on `background`. */
export function textOn(background: string): string {
  const bg = parseHex(background);
  if (!bg) return '#ffffff';
  return contrast(bg, WHITE) >= contrast(bg, INK) ? '#ffffff' : '#111827';
}

/** The colour moved towards black or white (away from `against`) just enough for AA (4.5:1). */
export function readableOn(color: string, against: string): string {
  const fg = parseHex(color);
  const bg = parseHex(against);
  if (!fg || !bg) return color;
  const target: Rgb = luminance(bg) > 0.5 ? [0, 0, 0] : WHITE;
  for (let step = 0; step <= 20; step++) {
    const t = step / 20;
    const mixed: Rgb = [fg[0] + (target[0] - fg[0]) * t, fg[1] + (target[1] - fg[1]) * t, fg[2] + (target[2] - fg[2]) * t];
    const rounded = parseHex(toHex(mixed)) ?? target;
    if (contrast(rounded, bg) >= 4.5) return toHex(rounded);
  }
  return toHex(target);
}
