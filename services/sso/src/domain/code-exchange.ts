import type { TenantClients } from '@mindbot/db';
import { ok, type Result } from '@mindbot/errors';
import { isActiveUser } from '../data/user-repository.js';
import type { Auditor } from './audit.js';
import type { RedeemFailure, SignInCodes } from './sign-in-codes.js';
import type { TokenResponse, TokenService } from './token-service.js';

/** A user disabled since the IdP vouched for them: a failure of the Result shape that names the connection signed in through. */
export interface DisabledUser {
  ok: false;
  failure: 'user_disabled';
  connectionId: string | undefined;
}

export type CodeExchangeOutcome = Result<TokenResponse, RedeemFailure> | DisabledUser;

/**
 * Redeeming the one-time code of a returnTo redirect: the code is used up (see SignInCodes.redeem),
 * and the session starts here, for a user still active.
 */
export class CodeExchange {
  constructor(
    private readonly tenants: TenantClients,
    private readonly codes: SignInCodes,
    private readonly tokens: TokenService,
    private readonly auditor: Auditor,
  ) {}

  async exchange(tenant: string, code: string, verifier: string | undefined, requestId: string | undefined): Promise<CodeExchangeOutcome> {
    const redeemed = await this.codes.redeem(tenant, code, verifier);
    if (!redeemed.ok) return redeemed;
    const grant = redeemed.value;
    const tokens = await this.tenants.forTenant(tenant).transaction(async (tx) => {
      // The user may have been disabled in the seconds since the IdP vouched for them.
      if (!(await isActiveUser(tx, grant.userId))) return undefined;
      return this.tokens.startSession(tx, tenant, {
        userId: grant.userId,
        method: grant.method,
        connectionId: grant.connectionId,
        samlNameId: grant.samlNameId,
        samlSessionIndex: grant.samlSessionIndex,
      });
    });
    if (!tokens) return { ok: false, failure: 'user_disabled', connectionId: grant.connectionId };
    await this.auditor.record(tenant, {
      action: 'sso.code_redeemed',
      actorId: grant.userId,
      target: grant.connectionId ?? grant.reseller?.tenant,
      data: {
        method: grant.method,
        session: tokens.session_id,
        pkce: grant.codeChallenge !== undefined,
        ...(grant.reseller ? { resellerTenant: grant.reseller.tenant, resellerUser: grant.reseller.userId } : {}),
      },
      requestId,
    });
    return ok(tokens);
  }
}
