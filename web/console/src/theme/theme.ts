import { parseHex, readableOn, textOn } from './contrast.js';

export interface ThemeInput {
  primaryColor: string;
  accentColor?: string;
}

const FALLBACK = '#1d4ed8';

/**
 * The tenant's colours as the console's CSS custom properties: the brand colour behind text
 * (with white or ink on it, whichever reads), and as text or outlines on white, corrected to AA.
 */
export function themeVariables({ primaryColor, accentColor }: ThemeInput): Record<string, string> {
  const primary = parseHex(primaryColor) ? primaryColor : FALLBACK;
  const onPrimary = textOn(primary);
  const solid = readableOn(primary, onPrimary);
  const accent = accentColor && parseHex(accentColor) ? accentColor : solid;
  return {
    '--brand-primary': solid,
    '--brand-on-primary': onPrimary,
    '--brand-primary-text': readableOn(primary, '#ffffff'),
    '--brand-accent': accent,
  };
}

/** Applies the variables to an element (the document's root for the console, a preview's box for the widget preview). */
export function applyTheme(element: HTMLElement, variables: Record<string, string>): void {
  for (const [name, value] of Object.entries(variables)) element.style.setProperty(name, value);
}
