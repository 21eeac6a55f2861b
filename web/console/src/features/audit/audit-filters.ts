import { auditQuerySchema } from '@mindbot/sdk/schemas';
import type { AuditEntry, AuditFilters } from '../../api/console-api.js';

/** The filters as the form holds them: text, and days (`YYYY-MM-DD`, empty for open-ended). */
export interface AuditForm {
  action: string;
  actor: string;
  from: string;
  to: string;
}

export const EMPTY_AUDIT_FORM: AuditForm = { action: '', actor: '', from: '', to: '' };

/** The API's own rule for an action filter, so the console refuses what the API would. */
export function actionError(action: string): string | undefined {
  const trimmed = action.trim();
  if (trimmed === '') return undefined;
  const parsed = auditQuerySchema.shape.action.safeParse(trimmed);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
}

/** Whole UTC days: From at its first instant, To at its last, so a one-day range holds that day. */
export function auditFiltersOf(form: AuditForm): AuditFilters {
  return {
    action: form.action.trim() || undefined,
    actor: form.actor.trim() || undefined,
    from: form.from ? `${form.from}T00:00:00.000Z` : undefined,
    to: form.to ? `${form.to}T23:59:59.999Z` : undefined,
  };
}

/** Who did it: the user's email while they are a user here, else their id, else the platform itself. */
export function actorOf(entry: AuditEntry, platform: string): string {
  return entry.actorEmail ?? entry.actorId ?? platform;
}

/** An entry's data as `key: value` pairs, one line (nested values as JSON). */
export function detailsOf(entry: AuditEntry): string {
  return Object.entries(entry.data)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}
