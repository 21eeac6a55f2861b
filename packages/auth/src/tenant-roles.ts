/**
 * The roles that administer a tenant: its owners and admins, and the admins of the reseller that
 * sells to it, signed in to it by a handoff (role `reseller`). Owner-only acts stay owner-only.
 */
export const TENANT_ADMIN_ROLES = ['owner', 'admin', 'reseller'] as const;
