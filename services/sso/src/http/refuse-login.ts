import type { Request } from 'express';
import { AppError } from '@mindbot/errors';
import type { Auditor } from '../domain/audit.js';

export type RefusalStatus =
  'unauthenticated' | 'bad_request' | 'not_found' | 'forbidden' | 'conflict' | 'payload_too_large' | 'unavailable';

const MESSAGES: Record<RefusalStatus, string> = {
  unauthenticated: 'The sign-in could not be completed.',
  bad_request: 'The sign-in request is malformed.',
  not_found: 'No sign-in connection matches this request.',
  forbidden: 'This sign-in connection is not available.',
  conflict: 'Another sign-in for this account happened at the same moment.',
  payload_too_large: 'The sign-in message is too large.',
  unavailable: 'The identity provider cannot be reached right now.',
};

/**
 * A refused browser sign-in whose login state carried a validated returnTo: the same code and
 * message as the problem answer, plus where the browser is to be sent back (see
 * refused-sign-in-redirect.ts). Only a returnTo read from SSO's own store may be put here.
 */
export class RefusedSignIn extends AppError {
  constructor(
    code: RefusalStatus,
    message: string,
    readonly returnTo: string,
  ) {
    super(code, message);
    this.name = 'RefusedSignIn';
  }
}

/**
 * Every refused sign-in: one audit entry with the reason, one opaque 4xx for the client (the reason
 * would only help an attacker). With `returnTo` (the stored relay of a browser sign-in) the refusal
 * is thrown as a RefusedSignIn, which the sign-in routes turn into a 303 back to the app.
 */
export async function refuseLogin(
  auditor: Auditor,
  req: Request,
  tenant: string,
  refusal: {
    reason: string;
    detail?: string | undefined;
    connectionId?: string | undefined;
    status?: RefusalStatus;
    returnTo?: string | undefined;
  },
): Promise<never> {
  await auditor.record(tenant, {
    action: 'sso.login_refused',
    target: refusal.connectionId,
    data: { reason: refusal.reason, ...(refusal.detail ? { detail: refusal.detail.slice(0, 500) } : {}), ip: req.ip ?? null },
    requestId: typeof req.id === 'string' ? req.id : undefined,
  });
  const status = refusal.status ?? 'unauthenticated';
  if (refusal.returnTo !== undefined) throw new RefusedSignIn(status, MESSAGES[status], refusal.returnTo);
  throw new AppError(status, MESSAGES[status]);
}
