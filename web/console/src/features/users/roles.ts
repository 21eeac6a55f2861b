import type { Translate } from '../../i18n/index.js';

/** The tenant roles the console offers (the API refuses unknown ones by name). */
export const ROLES = ['owner', 'admin', 'member'] as const;

export function roleLabel(role: string, t: Translate): string {
  if (role === 'owner') return t('roleOwner');
  if (role === 'admin') return t('roleAdmin');
  if (role === 'member') return t('roleMember');
  if (role === 'reseller') return t('roleReseller');
  return role;
}
