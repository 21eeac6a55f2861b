import type { Request } from 'express';
import { AppError } from '@mindbot/errors';
import type { Auditor } from '../domain/audit.js';

/**
 * Every refused sign-in: one audit entry with the reason, one opaque 4xx for the client (the reason
 * would only help an attacker).
 */
export async function refuseLogin(
  auditor: Auditor,
  req: Request,
  tenant: string,
  refusal: { reason: string; detail?: string | undefined; connectionId?: string | undefined; status?: 'unauthenticated' | 'bad_request' | 'not_found' | 'forbidden' | 'payload_too_large' | 'unavailable' },
): Promise<never> {
  await auditor.record(tenant, {
    action: 'sso.login_refused',
    target: refusal.connectionId,
    data: { reason: refusal.reason, ...(refusal.detail ? { detail: refusal.detail.slice(0, 500) } : {}), ip: req.ip ?? null },
    requestId: typeof req.id === 'string' ? req.id : undefined,
  });
  const status = refusal.status ?? 'unauthenticated';
  const messages = {
    unauthenticated: 'The sign-in could not be completed.',
    bad_request: 'The sign-in request is malformed.',
    not_found: 'No sign-in connection matches this request.',
    forbidden: 'This sign-in connection is not available.',
    payload_too_large: 'The sign-in message is too large.',
    unavailable: 'The identity provider cannot be reached right now.',
  } as const;
  throw new AppError(status, messages[status]);
}
