import type { TenantSpec, Voice } from './tenant-manifest.js';

/**
 * The branding and default-persona settings a tenant admin may edit in the console when the
 * manifest leaves them out (docs/adr/0055-branding-edits-beside-the-manifest.md), each with the
 * manifest field it mirrors.
 */
export const BRANDING_SETTING_KEYS = [
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
export type BrandingSettingKey = (typeof BRANDING_SETTING_KEYS)[number];

/** The effective settings: every one has a value (a tenant without a logo has null). */
export interface BrandingSettings {
  displayName: string;
  agentName: string;
  primaryColor: string;
  accentColor: string;
  logoUrl: string | null;
  greeting: string;
  voice: Voice;
  language: string;
  instructions: string;
}

/** Who decides a setting: the manifest (GitOps), a tenant admin in the console, or the platform's default. */
export type BrandingSource = 'manifest' | 'console' | 'default';

/** Where each setting lives in a Tenant manifest, for messages that send an admin to the right field. */
export const MANIFEST_FIELD_OF: Record<BrandingSettingKey, string> = {
  displayName: 'spec.displayName',
  agentName: 'spec.branding.agentName',
  primaryColor: 'spec.branding.primaryColor',
  accentColor: 'spec.branding.accentColor',
  logoUrl: 'spec.branding.logoUrl',
  greeting: 'spec.branding.greeting',
  voice: 'spec.agent.voice',
  language: 'spec.agent.language',
  instructions: 'spec.agent.persona',
};

/** What a tenant gets for a setting neither its manifest nor its admins set; the display name falls back to the slug. */
export const BRANDING_DEFAULTS: Omit<BrandingSettings, 'displayName'> = {
  agentName: 'Assistant',
  primaryColor: '#2563eb',
  accentColor: '#f59e0b',
  logoUrl: null,
  greeting: 'Hello! How can I help you today?',
  voice: 'aurora',
  language: 'en',
  instructions: 'You are a friendly, concise voice assistant. Answer briefly and ask when something is unclear.',
};

/** A manifest's spec as far as these settings go (the registry keeps the parsed spec). */
export interface BrandingSpec {
  displayName?: TenantSpec['displayName'];
  branding?: Partial<TenantSpec['branding']>;
  agent?: Partial<Pick<TenantSpec['agent'], 'persona' | 'voice' | 'language'>>;
}

/** The settings a manifest sets; a key it leaves out is absent. */
export function manifestBrandingOf(spec: BrandingSpec): Partial<BrandingSettings> {
  const declared: Partial<BrandingSettings> = {};
  const { branding = {}, agent = {} } = spec;
  if (spec.displayName !== undefined) declared.displayName = spec.displayName;
  if (branding.agentName !== undefined) declared.agentName = branding.agentName;
  if (branding.primaryColor !== undefined) declared.primaryColor = branding.primaryColor;
  if (branding.accentColor !== undefined) declared.accentColor = branding.accentColor;
  if (branding.logoUrl !== undefined) declared.logoUrl = branding.logoUrl;
  if (branding.greeting !== undefined) declared.greeting = branding.greeting;
  if (agent.voice !== undefined) declared.voice = agent.voice;
  if (agent.language !== undefined) declared.language = agent.language;
  if (agent.persona !== undefined) declared.instructions = agent.persona;
  return declared;
}

/**
 * The one precedence: manifest, else console, else default. A setting has a console value only
 * while the manifest leaves it out (the console refuses managed settings, and a manifest that
 * takes one over drops the console's value), so the order never decides between two live values.
 */
export function effectiveBranding(
  slug: string,
  manifest: Partial<BrandingSettings>,
  console: Partial<BrandingSettings>,
): { settings: BrandingSettings; managedBy: Record<BrandingSettingKey, BrandingSource> } {
  const defaults: BrandingSettings = { displayName: slug, ...BRANDING_DEFAULTS };
  const pick = <K extends BrandingSettingKey>(key: K): BrandingSettings[K] => manifest[key] ?? console[key] ?? defaults[key];
  const sourceOf = (key: BrandingSettingKey): BrandingSource =>
    manifest[key] !== undefined ? 'manifest' : console[key] !== undefined ? 'console' : 'default';
  return {
    settings: {
      displayName: pick('displayName'),
      agentName: pick('agentName'),
      primaryColor: pick('primaryColor'),
      accentColor: pick('accentColor'),
      logoUrl: pick('logoUrl'),
      greeting: pick('greeting'),
      voice: pick('voice'),
      language: pick('language'),
      instructions: pick('instructions'),
    },
    managedBy: {
      displayName: sourceOf('displayName'),
      agentName: sourceOf('agentName'),
      primaryColor: sourceOf('primaryColor'),
      accentColor: sourceOf('accentColor'),
      logoUrl: sourceOf('logoUrl'),
      greeting: sourceOf('greeting'),
      voice: sourceOf('voice'),
      language: sourceOf('language'),
      instructions: sourceOf('instructions'),
    },
  };
}
