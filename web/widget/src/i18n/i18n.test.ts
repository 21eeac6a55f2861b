import { de } from './de.js';
import { en } from './en.js';
import { format, pickLanguage, translator } from './index.js';

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();

describe('i18n', () => {
  it('has the same keys in English and German', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
  });

  it('uses the same placeholders in both languages, and no empty strings', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect({ key, placeholders: placeholders(de[key]) }).toEqual({ key, placeholders: placeholders(en[key]) });
      expect(de[key].trim()).not.toBe('');
    }
  });

  it('fills placeholders and leaves unknown ones', () => {
    expect(format('Talk to {name}', { name: 'Acme' })).toBe('Talk to Acme');
    expect(format('{a} {b}', { a: 1 })).toBe('1 {b}');
    expect(translator('de')('launcher', { name: 'Acme' })).toBe('Mit Acme sprechen');
  });

  it('picks the first supported language', () => {
    expect(pickLanguage(undefined, 'de-AT')).toBe('de');
    expect(pickLanguage('fr', 'EN')).toBe('en');
    expect(pickLanguage('fr')).toBe('en');
  });
});
