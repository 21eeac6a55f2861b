import { z } from 'zod';
import { isoDate } from './common-schemas.js';

/** The most entries one page of the audit log holds. */
export const AUDIT_PAGE_MAX = 500;

export const auditQuerySchema = z
  .object({
    actor: z.string().min(1).max(100).optional().meta({ description: 'Only entries by this user (or key) id.' }),
    action: z
      .string()
      .regex(/^[a-z0-9_.]+(\.\*)?$/, 'must be an action like user.invited, or a family like user.*')
      .max(100)
      .optional()
      .meta({ description: 'An action (`user.invited`) or a family of actions (`user.*`).' }),
    target: z.string().min(1).max(200).optional().meta({ description: 'Only entries about this id.' }),
    from: z.iso.datetime({ offset: true }).optional().meta({ description: 'From this instant (inclusive).' }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Up to this instant (inclusive).' }),
    cursor: z
      .string()
      .regex(/^[0-9]{1,18}$/, 'must be the nextCursor of a previous page')
      .optional(),
    limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(100),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

export const auditEntrySchema = z
  .object({
    seq: z.int().meta({ description: "The entry's place in the tenant's hash chain." }),
    id: z.string(),
    actorId: z.string().nullable().meta({ description: 'Who did it: a user id, or null for the platform itself.' }),
    actorEmail: z.string().nullable().meta({ description: "The actor's email while they are a user of the tenant." }),
    action: z.string(),
    target: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    requestId: z.string().nullable(),
    createdAt: isoDate,
    hash: z.string().meta({ description: 'SHA-256 over the entry and the hash of the one before it.' }),
  })
  .meta({ id: 'AuditEntry' });

export const auditPageSchema = z
  .object({ entries: z.array(auditEntrySchema), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditPage' });
