import { brandingSettingsPatchSchema } from '@mindbot/sdk/schemas';
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
  return value ?? '';
}

const PATCH_FIELDS: Readonly<Record<string, z.ZodType | undefined>> = brandingSettingsPatchSchema.shape;

/** A setting's value checked by the API's own rule (the SDK's PATCH schema, with its null/absent cases removed), else plain text. */
function ruleOf(key: string): z.ZodType<string> {
  const rule = PATCH_FIELDS[key];
  const inner = rule instanceof z.ZodOptional ? rule.unwrap() : rule;
  const base = inner instanceof z.ZodNullable ? inner.unwrap() : inner;
  if (!(base instanceof z.ZodType)) return z.string().max(8000);
  return z.string().superRefine((value, ctx) => {
    const checked = base.safeParse(value);
    if (!checked.success) ctx.addIssue({ code: 'custom', message: checked.error.issues[0]?.message ?? 'invalid' });
  });
}

/**
 * What the form accepts per field: the API's rules, or empty (which clears the console's value,
 * back to the default). Fields the manifest manages are read-only and never sent, so never checked.
 */
export function brandingFormSchema(keys: readonly string[], managed: ReadonlySet<string>) {
  const rules = new Map(keys.filter((key) => !managed.has(key)).map((key) => [key, ruleOf(key)]));
  return z.record(z.string(), z.string()).superRefine((values, ctx) => {
    for (const [key, rule] of rules) {
      const value = values[key] ?? '';
      if (value === '') continue;
      const checked = rule.safeParse(value);
      if (!checked.success) ctx.addIssue({ code: 'custom', path: [key], message: checked.error.issues[0]?.message ?? 'invalid' });
    }
  });
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
    patch[key] = after === '' ? null : after;
  }
  return patch;
}
