import { z } from 'zod';
import { isoDate } from './common-schemas.js';

// GDPR (docs/adr/0059-gdpr-export-and-erasure.md): a user's export of everything the tenant holds
// about them, and erasure by the user or a tenant admin.

const row = z.record(z.string(), z.unknown());

export const personalDataExportSchema = z
  .object({
    format: z.literal('mindbot.personal-data.v1'),
    exportedAt: isoDate,
    tenant: z.string(),
    user: z
      .object({
        id: z.string(),
        email: z.string(),
        displayName: z.string().nullable(),
        status: z.string(),
        hasPassword: z.boolean(),
        createdAt: isoDate,
        updatedAt: isoDate,
      })
      .loose(),
    roles: z.array(z.object({ name: z.string(), source: z.string(), grantedAt: isoDate }).loose()),
    identities: z
      .array(row)
      .meta({ description: 'Identity-provider accounts linked to the user (issuer, subject, email, groups, profile).' }),
    sessions: z.array(row).meta({ description: 'Sign-in sessions (never their tokens).' }),
    invitations: z.array(row).meta({ description: 'Invitations sent to this email, or sent by this user.' }),
    purchases: z.array(row),
    timeCards: z
      .array(row)
      .meta({ description: 'Time cards owned or activated by the user (activation codes included: they are the user’s).' }),
    minuteLots: z.array(row),
    ledgerEntries: z.array(row),
    voiceSessions: z.array(row),
    voiceSessionEvents: z.array(row).meta({ description: 'What was said and done in the user’s voice sessions.' }),
    notificationPreferences: row.nullable(),
    auditEntries: z.array(row).meta({ description: 'Audit entries by or about the user.' }),
  })
  .loose()
  .meta({ id: 'PersonalDataExport', description: 'Everything the tenant holds about one user, machine-readable (JSON).' });

export const selfErasureRequestSchema = z
  .object({
    confirm: z.string().min(1).max(254).meta({ description: 'Your email address, typed again: erasure cannot be undone.' }),
  })
  .strict()
  .meta({ id: 'SelfErasureRequest' });

export const userErasureRequestSchema = z
  .object({
    confirm: z.string().min(1).max(100).meta({ description: 'The id of the user to erase, repeated: erasure cannot be undone.' }),
  })
  .strict()
  .meta({ id: 'UserErasureRequest' });

export const erasureSchema = z
  .object({
    erased: z.literal(true),
    sessionsEnded: z.int(),
    financialRecordsKept: z.int().meta({
      description:
        'Purchases, time cards, minute lots, ledger entries and voice sessions kept for the law, now under a pseudonymous id tied to no person.',
    }),
  })
  .loose()
  .meta({ id: 'Erasure' });
