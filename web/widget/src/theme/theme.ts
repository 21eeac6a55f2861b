import { ensureContrast, parseHexColor, readableTextOn } from './contrast.js';

export interface ThemeColors {
  primary: string;
  onPrimary: string;
  /** The brand colour as text or outlines on the panel's white background. */
  primaryOnSurface: string;
  accent: string;
}

const SURFACE = '#ffffff';

/** The tenant's colours, each corrected to WCAG AA where it meets text or the panel. */
export function themeColors(primaryColor: string, accentColor: string): ThemeColors {
  const fallback = '#1d4ed8';
  const base = parseHexColor(primaryColor) ? primaryColor : fallback;
  const onPrimary = readableTextOn(base);
  const primary = ensureContrast(base, onPrimary).color;
  const primaryOnSurface = ensureContrast(base, SURFACE).color;
  const accent = parseHexColor(accentColor) ? accentColor : primary;
  return { primary, onPrimary, primaryOnSurface, accent };
}

/** The custom properties the widget's styles read, for a `:host` rule. */
export function themeCss(colors: ThemeColors): string {
  return `:host{--mb-primary:${colors.primary};--mb-on-primary:${colors.onPrimary};--mb-primary-text:${colors.primaryOnSurface};--mb-accent:${colors.accent};}`;
}
