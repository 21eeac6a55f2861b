import { z } from 'zod';

// Answers of the endpoints issue 14 adds (users, invitations, console branding, per-user report),
// as the engineers agreed them. Loose, as the SDK's answers are: a service may add fields. When
// @mindbot/sdk exports its own schemas for these, import those instead.

const date = z.string();

export const consoleUserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    roles: z.array(z.string()),
    createdAt: date,
    lastSignInAt: date.nullable(),
  })
  .loose();

export const consoleUserPageSchema = z.object({ users: z.array(consoleUserSchema), nextCursor: z.string().nullable() }).loose();

export const invitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    roles: z.array(z.string()),
    status: z.string(),
    expiresAt: date,
    createdAt: date,
    invitedBy: z.string().nullable(),
  })
  .loose();

export const invitationListSchema = z.object({ invitations: z.array(invitationSchema) }).loose();

export const invitationPreviewSchema = z
  .object({ email: z.string(), roles: z.array(z.string()), tenantName: z.string(), expiresAt: date })
  .loose();

/** A console-editable setting: text, or null where nothing is set. */
const settingValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const MANAGED_BY = ['manifest', 'console', 'default'] as const;

export const adminBrandingSchema = z
  .object({
    settings: z.record(z.string(), settingValue),
    managedBy: z.record(z.string(), z.enum(MANAGED_BY).or(z.string())),
  })
  .loose();

export const userReportSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    users: z.array(
      z
        .object({
          userId: z.string(),
          email: z.string().nullable(),
          sessions: z.int(),
          seconds: z.int(),
          purchases: z.int(),
          revenueCents: z.int(),
          currency: z.string(),
        })
        .loose(),
    ),
  })
  .loose();

export type ConsoleUser = z.output<typeof consoleUserSchema>;
export type ConsoleUserPage = z.output<typeof consoleUserPageSchema>;
export type Invitation = z.output<typeof invitationSchema>;
export type InvitationPreview = z.output<typeof invitationPreviewSchema>;
export type AdminBranding = z.output<typeof adminBrandingSchema>;
export type SettingValue = z.output<typeof settingValue>;
export type UserReport = z.output<typeof userReportSchema>;
