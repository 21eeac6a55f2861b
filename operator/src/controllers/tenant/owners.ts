import type { SsoServiceClient } from '@mindbot/sso-client';
import type { TenantManifest } from '@mindbot/tenancy';
import type { ConditionInput } from '../../runtime/conditions.js';

/**
 * The owners step of a tenant's reconcile: SSO invites each email of `spec.owners` by mail, when
 * the operator knows SSO (SSO_URL and a service token). Absent, a Tenant has no `OwnersInvited` condition.
 * Ready never waits for it: a tenant runs while its owners have not opened their mail.
 */
export interface OwnersStep {
  sso: Pick<SsoServiceClient, 'inviteOwners'>;
  /** How soon a failed invitation is tried again. */
  retryMs: number;
}

export interface OwnersVerdict {
  condition: ConditionInput;
  requeueAfterMs?: number;
}

/**
 * Invites the owners once per generation of the Tenant: a resync of an unchanged Tenant whose
 * owners were invited calls nothing (SSO's invitation is idempotent anyway, but a resync of every
 * Tenant must not become a round of HTTP calls).
 */
export async function inviteOwners(
  step: OwnersStep,
  manifest: TenantManifest,
  prior: (ConditionInput & { observedGeneration?: number | undefined }) | undefined,
  generation: number | undefined,
): Promise<OwnersVerdict> {
  const owners = manifest.spec.owners;
  if (owners.length === 0)
    return { condition: { type: 'OwnersInvited', status: 'True', reason: 'NoOwners', message: 'spec.owners is empty' } };
  // The same condition as before, word for word: a resync writes no status.
  if (prior?.status === 'True' && prior.observedGeneration === generation && generation !== undefined)
    return { condition: { type: 'OwnersInvited', status: 'True', reason: prior.reason, message: prior.message } };
  try {
    const answer = await step.sso.inviteOwners(manifest.metadata.name, owners);
    const message = [
      answer.invited.length > 0 ? `invited now: ${answer.invited.join(', ')}` : '',
      answer.skipped.length > 0 ? `already owners or invited: ${answer.skipped.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return { condition: { type: 'OwnersInvited', status: 'True', reason: 'Invited', message } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      condition: { type: 'OwnersInvited', status: 'False', reason: 'SsoUnavailable', message: `owners not invited yet: ${message}` },
      requeueAfterMs: step.retryMs,
    };
  }
}
