import { z } from 'zod';
import type { AdminBranding, SettingValue } from '../../api/console-api.js';
import type { MessageKey, Translate } from '../../i18n/index.js';

/** The settings the console knows how to edit, in the order it shows them; any other key of `settings` follows, as text. */
export const KNOWN_FIELDS = [
  'displayName',
  'agentName',
  'primaryColor',
  'accentColor',
  'logoUrl',
  'greeting',
  'voice',
  'language',
  'instructions',
] as const;

export type FieldKind = 'color' | 'url' | 'long' | 'text';

export function kindOf(key: string): FieldKind {
  if (/color$/i.test(key)) return 'color';
  if (/url$/i.test(key)) return 'url';
  if (key === 'instructions' || key === 'greeting') return 'long';
  return 'text';
}

export function fieldLabel(key: string, t: Translate): string {
  const messageKey = `field_${key}`;
  return (KNOWN_FIELDS as readonly string[]).includes(key) ? t(messageKey as MessageKey) : key.replace(/([a-z])([A-Z])/g, '$1 $2');
}

/** The keys to show: the known ones the API has, then the rest of what it sent. */
export function fieldsOf(branding: AdminBranding): string[] {
  const keys = Object.keys(branding.settings);
  return [...KNOWN_FIELDS.filter((key) => keys.includes(key)), ...keys.filter((key) => !(KNOWN_FIELDS as readonly string[]).includes(key))];
}

export function isManaged(branding: AdminBranding, key: string): boolean {
  return branding.managedBy[key] === 'manifest';
}

export type BrandingValues = Record<string, string>;

export function valuesOf(branding: AdminBranding): BrandingValues {
  return Object.fromEntries(fieldsOf(branding).map((key) => [key, textOf(branding.settings[key])]));
}

function textOf(value: SettingValue | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** What the form accepts per field: colours as #rrggbb, URLs as http(s) (or empty), text within sane lengths. */
export function brandingFormSchema(keys: readonly string[], t: Translate) {
  const rule = (key: string) => {
    const kind = kindOf(key);
    if (kind === 'color')
      return z
        .string()
        .trim()
        .regex(/^#[0-9a-fA-F]{6}$/, t('colorInvalid'));
    if (kind === 'url') return z.union([z.literal(''), z.url({ protocol: /^https?$/ }).max(2048)]);
    return z.string().max(kind === 'long' ? 8000 : 200);
  };
  return z.object(Object.fromEntries(keys.map((key) => [key, rule(key)])));
}

/**
 * The PATCH: only fields the console may set and that changed; a cleared field (`Use default`, or an
 * emptied optional one) is sent as null, which hands it back to the manifest's or the platform's value.
 */
export function patchOf(branding: AdminBranding, values: BrandingValues, cleared: ReadonlySet<string>): Record<string, SettingValue> {
  const patch: Record<string, SettingValue> = {};
  for (const key of fieldsOf(branding)) {
    if (isManaged(branding, key)) continue;
    if (cleared.has(key)) {
      patch[key] = null;
      continue;
    }
    const before = textOf(branding.settings[key]);
    const after = values[key] ?? '';
    if (after === before) continue;
    patch[key] = after === '' && branding.settings[key] === null ? null : after === '' && kindOf(key) === 'url' ? null : after;
  }
  return patch;
}
