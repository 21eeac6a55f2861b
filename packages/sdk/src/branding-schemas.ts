import { z } from 'zod';

// A tenant's branding and default persona as its admins edit them in the console
// (docs/adr/0055-branding-edits-beside-the-manifest.md): a setting the Tenant manifest sets is
// managed there and read-only here; the others are the console's, or the platform's default.

/** The agent voices every deployment offers (the Tenant manifest's `agent.voice`). */
export const BRANDING_VOICES = ['aurora', 'breeze', 'cedar', 'dune', 'ember', 'fjord'] as const;

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex colour such as #1a2b3c');
const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|[a-z0-9.-]+\.localhost)$/;
const logoUrl = z
  .url({ protocol: /^https?$/, error: 'must be an https URL' })
  .max(2048)
  // zod runs this even when the URL check above failed: parse defensively.
  .refine((value) => value.startsWith('https://') || (URL.canParse(value) && LOOPBACK_HOST.test(new URL(value).hostname)), {
    error: 'must be an https URL (http only for localhost)',
  });
const text = (max: number) => z.string().trim().min(1, 'must not be empty (null clears it)').max(max, `must be at most ${max} characters`);

const settingsShape = {
  displayName: z.string().meta({ description: 'The name users see (the widget, the hosted page, emails).' }),
  agentName: z.string().meta({ description: 'The name the default persona introduces itself with.' }),
  primaryColor: z.string(),
  accentColor: z.string(),
  logoUrl: z.string().nullable(),
  greeting: z.string().meta({ description: 'What the agent says first in a call.' }),
  voice: z.string(),
  language: z.string().meta({ description: 'A language tag such as en or de-DE.' }),
  instructions: z.string().meta({ description: "The default persona's instructions to the language model." }),
};

const source = z.enum(['manifest', 'console', 'default']);

export const brandingSettingsViewSchema = z
  .object({
    settings: z
      .object(settingsShape)
      .meta({ description: 'The settings in effect: the manifest’s, else the console’s, else the default.' }),
    managedBy: z
      .object({
        displayName: source,
        agentName: source,
        primaryColor: source,
        accentColor: source,
        logoUrl: source,
        greeting: source,
        voice: source,
        language: source,
        instructions: source,
      })
      .meta({
        description:
          'Who decides each setting: `manifest` (read-only here; change the Tenant manifest), `console` (set by an admin) or `default` (the platform’s).',
      }),
  })
  .meta({ id: 'BrandingSettingsView', description: "The tenant's branding and default persona, as its admins see them." });

export const brandingSettingsPatchSchema = z
  .object({
    displayName: text(100).nullable().optional(),
    agentName: text(60).nullable().optional(),
    primaryColor: hexColour.nullable().optional(),
    accentColor: hexColour.nullable().optional(),
    logoUrl: logoUrl.nullable().optional(),
    greeting: text(500).nullable().optional(),
    voice: z
      .enum(BRANDING_VOICES, { error: `must be one of ${BRANDING_VOICES.join(', ')}` })
      .nullable()
      .optional(),
    language: z
      .string()
      .regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'must be a language tag such as en or en-US')
      .nullable()
      .optional(),
    instructions: text(8000).nullable().optional(),
  })
  .strict()
  .meta({
    id: 'BrandingSettingsPatch',
    description:
      'Any subset of the settings: a value sets it, null clears the console’s value (back to the default). A setting the manifest manages is refused with 409.',
  });

export type BrandingSettingsView = z.output<typeof brandingSettingsViewSchema>;
export type BrandingSettingsPatch = z.output<typeof brandingSettingsPatchSchema>;
