import { z } from 'zod';
import { isoDate } from './common-schemas.js';
import { emailSchema } from './sso-schemas.js';

// The console's users and invitations (SSO): admins list users, change their roles, remove them,
// and invite people by email; the invited preview and accept their invitation without signing in.

/** A role's name as the tenant's roles table holds it (owner, admin, member, or one the tenant added). */
export const roleNameSchema = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must be a role name such as admin or member');

const roleListSchema = z
  .array(roleNameSchema)
  .max(20)
  .refine((roles) => new Set(roles).size === roles.length, 'must not name a role twice');

export const userListQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** `nextCursor` of the previous page. */
    cursor: z
      .string()
      .regex(/^usr_[0-9a-z]{26}$/, 'must be the nextCursor of a previous page')
      .optional(),
    /** Part of an email address or display name (case-insensitive). */
    q: z.string().trim().min(1).max(254).optional(),
  })
  .strict();

export const tenantUserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string().nullable(),
    status: z.enum(['active', 'disabled']).meta({ description: '`disabled`: blocked by an admin.' }),
    roles: z.array(z.string()),
    createdAt: isoDate,
    lastSignInAt: isoDate.nullable().meta({ description: 'When the latest session started; null if the user never signed in.' }),
  })
  .loose()
  .meta({ id: 'TenantUser' });

export const userListSchema = z
  .object({
    users: z.array(tenantUserSchema),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last.' }),
  })
  .loose()
  .meta({ id: 'TenantUserList', description: 'Oldest first.' });

export const userRolesUpdateRequestSchema = z
  .object({ roles: roleListSchema.meta({ description: "The user's roles from now on (every role the tenant has, by name)." }) })
  .strict()
  .meta({ id: 'UserRolesUpdateRequest' });

export const invitationCreateRequestSchema = z
  .object({ email: emailSchema, roles: roleListSchema.min(1).default(['member']) })
  .strict()
  .meta({ id: 'InvitationCreateRequest' });

export const invitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    roles: z.array(z.string()),
    status: z.enum(['pending', 'accepted', 'revoked']),
    expiresAt: isoDate,
    createdAt: isoDate,
    invitedBy: z
      .string()
      .nullable()
      .meta({ description: 'The admin who invited; null when the platform did (the owners a Tenant names).' }),
  })
  .loose()
  .meta({ id: 'Invitation' });

export const invitationListSchema = z
  .object({ invitations: z.array(invitationSchema) })
  .loose()
  .meta({ id: 'InvitationList', description: 'The pending, unexpired invitations, newest first.' });

const invitationToken = z.string().min(1).max(200);

export const invitationPreviewRequestSchema = z.object({ token: invitationToken }).strict().meta({ id: 'InvitationPreviewRequest' });

export const invitationPreviewSchema = z
  .object({ email: z.string(), roles: z.array(z.string()), tenantName: z.string(), expiresAt: isoDate })
  .loose()
  .meta({ id: 'InvitationPreview' });

export const invitationAcceptRequestSchema = z
  .object({
    token: invitationToken,
    password: z
      .string()
      .max(1024)
      .optional()
      .meta({ description: 'Required when the email has no account yet; the password policy applies.' }),
    displayName: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .meta({ id: 'InvitationAcceptRequest' });

/** The platform's call (provisioning), never public: invites each email as an owner unless it already is one or has a pending invitation. */
export const ownersInviteRequestSchema = z
  .object({ emails: z.array(emailSchema).min(1).max(50) })
  .strict()
  .meta({ id: 'OwnersInviteRequest' });

export const ownersInvitedSchema = z
  .object({
    invited: z.array(z.string()).meta({ description: 'Emails invited now (a mail went out).' }),
    skipped: z.array(z.string()).meta({ description: 'Emails that already are owners or have a pending invitation.' }),
  })
  .meta({ id: 'OwnersInvited' });

export type TenantUser = z.output<typeof tenantUserSchema>;
export type UserList = z.output<typeof userListSchema>;
export type Invitation = z.output<typeof invitationSchema>;
export type InvitationPreview = z.output<typeof invitationPreviewSchema>;
export type InvitationCreateRequest = z.input<typeof invitationCreateRequestSchema>;
export type InvitationAcceptRequest = z.input<typeof invitationAcceptRequestSchema>;
