import type { TenantClients } from '@mindbot/db';
import { AppError, fail, ok, type Result } from '@mindbot/errors';
import type { Connection } from '../data/connection-repository.js';
import type { Auditor } from './audit.js';
import { findOrCreateUserJustInTime, isUniqueViolation, type AssertedIdentity, type JustInTimeFailure } from './just-in-time-users.js';
import type { SignInCodes } from './sign-in-codes.js';
import type { SignInRelay } from './sign-in-relay.js';
import type { TokenResponse, TokenService } from './token-service.js';

/**
 * `provisioning_conflict`: two first sign-ins of one person at once lost the race for the user row.
 * The name is the audited reason operators and the OpenAPI document already know, so it stays.
 */
export type IdpSignInFailure = JustInTimeFailure | 'provisioning_conflict';

/** A completed IdP sign-in: the session's tokens now, or a one-time code for the browser to redeem. */
export type IdpSignedIn = { tokens: TokenResponse } | { code: string; relay: SignInRelay };

export interface IdpSignInInput {
  connection: Connection;
  identity: AssertedIdentity;
  /** The tenant lets a first sign-in create its user. */
  createUsers: boolean;
  saml?: { nameId: string; sessionIndex: string | undefined } | undefined;
  /** A browser sign-in started with returnTo: it gets a code, and the session starts when the code is redeemed. */
  relay: SignInRelay | undefined;
  requestId: string | undefined;
}

/** After an IdP's answer was verified: the user, found or created just in time, and the sign-in's answer. */
export class IdpSignIn {
  constructor(
    private readonly tenants: TenantClients,
    private readonly tokens: TokenService,
    private readonly codes: SignInCodes,
    private readonly auditor: Auditor,
  ) {}

  async complete(tenant: string, input: IdpSignInInput): Promise<Result<IdpSignedIn, IdpSignInFailure>> {
    const { connection, saml, relay } = input;
    const session = {
      method: connection.kind,
      connectionId: connection.id,
      samlNameId: saml?.nameId,
      samlSessionIndex: saml?.sessionIndex,
    };
    const outcome = await this.tenants
      .forTenant(tenant)
      .transaction(async (tx) => {
        const user = await findOrCreateUserJustInTime(tx, connection, input.identity, { createUsers: input.createUsers });
        if (!user.ok) return user;
        const tokens = relay ? undefined : await this.tokens.startSession(tx, tenant, { userId: user.value.userId, ...session });
        return ok({ ...user.value, tokens });
      })
      .catch((error: unknown) => {
        // Two first sign-ins of one person at once (one email through two connections, or one identity
        // twice): the one that committed first stands, this one is refused (nothing of it was written).
        if (isUniqueViolation(error)) return fail('provisioning_conflict');
        throw error;
      });
    if (!outcome.ok) return outcome;
    const { tokens, invitations, ...user } = outcome.value;
    for (const invitation of invitations)
      await this.auditor.record(tenant, {
        action: 'invitation.accepted',
        actorId: user.userId,
        target: invitation,
        data: { newUser: user.created, method: connection.kind, connectionId: connection.id },
        requestId: input.requestId,
      });
    const audited = { action: 'sso.login_succeeded', actorId: user.userId, target: connection.id, requestId: input.requestId };
    const base = { method: connection.kind, created: user.created, roles: user.roles };
    if (tokens) {
      await this.auditor.record(tenant, { ...audited, data: { ...base, session: tokens.session_id } });
      return ok({ tokens });
    }
    if (!relay) throw new AppError('internal', 'A sign-in ended with neither tokens nor a relay.');
    const code = await this.codes.issue(tenant, { userId: user.userId, ...session, codeChallenge: relay.codeChallenge });
    const returnTo = new URL(relay.returnTo).origin;
    await this.auditor.record(tenant, { ...audited, data: { ...base, returnTo, pkce: relay.codeChallenge !== undefined } });
    return ok({ code, relay });
  }
}
