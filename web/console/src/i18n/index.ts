import { en, type Catalogue, type MessageKey } from './en.js';

export type { Catalogue, MessageKey };

/** Fills `{name}` placeholders; an unknown placeholder stays as written. */
export function format(template: string, params: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? String(params[key]) : whole));
}

export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

/** The console speaks English for now; a second catalogue plugs in here with the same keys. */
export function translator(catalogue: Catalogue = en): Translate {
  return (key, params) => format(catalogue[key], params);
}

export const t: Translate = translator();
