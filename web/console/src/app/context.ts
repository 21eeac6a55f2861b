import { createContext, useContext } from 'react';
import type { Branding, ConsoleApi, Me } from '../api/console-api.js';
import type { Translate } from '../i18n/index.js';

export interface ConsoleContextValue {
  api: ConsoleApi;
  /** The tenant's public branding (GET /v1/branding). */
  branding: Branding;
  t: Translate;
  /** Reads the public branding again (after an admin saved a change), so the console wears it too. */
  refreshBranding: () => void;
}

export const ConsoleContext = createContext<ConsoleContextValue | undefined>(undefined);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside the console');
  return value;
}

export interface SessionValue {
  me: Me;
  /** Owner, admin or a reseller's admin: the admin pages are shown (the API enforces it anyway). */
  isAdmin: boolean;
  /** Owner or admin of this tenant itself: its own resellers page (a reseller's admin sees the child's pages, not whom it sells to). */
  isOwnAdmin: boolean;
  signOut: () => Promise<void>;
}

export const SessionContext = createContext<SessionValue | undefined>(undefined);

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside a signed-in page');
  return value;
}

/** As @mindbot/auth's TENANT_ADMIN_ROLES: a reseller administers the tenants it sells to. */
export const ADMIN_ROLES: readonly string[] = ['owner', 'admin', 'reseller'];

const OWN_ADMIN_ROLES: readonly string[] = ['owner', 'admin'];

export function isAdmin(roles: readonly string[]): boolean {
  return roles.some((role) => ADMIN_ROLES.includes(role));
}

export function isOwnAdmin(roles: readonly string[]): boolean {
  return roles.some((role) => OWN_ADMIN_ROLES.includes(role));
}
