import { de } from './de.js';
import { en, type Catalogue, type MessageKey } from './en.js';

export type Language = 'en' | 'de';
export type { Catalogue, MessageKey };

export const catalogues: Readonly<Record<Language, Catalogue>> = { en, de };

/** The supported language for a tag such as `de-AT` or `EN`; English otherwise. */
export function pickLanguage(...tags: (string | null | undefined)[]): Language {
  for (const tag of tags) {
    const base = tag?.trim().toLowerCase().split(/[-_]/)[0];
    if (base === 'en' || base === 'de') return base;
  }
  return 'en';
}

/** Fills `{name}` placeholders; an unknown placeholder stays as written. */
export function format(template: string, params: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

export function translator(language: Language): Translate {
  const catalogue = catalogues[language];
  return (key, params) => format(catalogue[key], params);
}
