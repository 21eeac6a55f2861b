import { randomUUID } from 'node:crypto';
import type { TenantClients, TenantTransaction } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import {
  createRefreshToken,
  createSession,
  lockRefreshToken,
  revokeSession,
  roleNamesOf,
  type NewSession,
} from '../data/session-repository.js';
import type { Auditor } from './audit.js';
import type { SessionRevocations } from './session-revocations.js';
import type { SigningKeys } from './signing-keys.js';

export interface TokenResponse {
  token_type: 'Bearer';
  access_token: string;
  expires_in: number;
  refresh_token: string;
  session_id: string;
}

export interface TokenPolicy {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  sessionTtlSeconds: number;
}

export type RefreshFailure = 'unknown' | 'expired' | 'reused' | 'session_ended' | 'user_disabled';

/** Platform tokens: short-lived RS256 (or, with an older EC key, ES256) access JWTs and rotating refresh tokens grouped in sessions. */
export class TokenService {
  constructor(
    private readonly tenants: TenantClients,
    private readonly keys: SigningKeys,
    private readonly policy: TokenPolicy,
    private readonly auditor: Auditor,
    private readonly revocations: SessionRevocations,
    /** Whether a user's `reseller` role is still for the tenant's parent (a registry read). */
    private readonly resellerGrantHolds: (tx: TenantTransaction, tenant: string, userId: string) => Promise<boolean>,
  ) {}

  /** Starts a session inside the caller's transaction (the one that found, created or checked the user). */
  async startSession(tx: TenantTransaction, tenant: string, session: Omit<NewSession, 'expiresAt'>): Promise<TokenResponse> {
    const now = Date.now();
    const sessionId = await createSession(tx, { ...session, expiresAt: new Date(now + this.policy.sessionTtlSeconds * 1000) });
    const refresh = await createRefreshToken(
      tx,
      sessionId,
      new Date(now + Math.min(this.policy.refreshTokenTtlSeconds, this.policy.sessionTtlSeconds) * 1000),
    );
    const roles = await roleNamesOf(tx, session.userId);
    return this.respond(tenant, session.userId, roles, sessionId, refresh);
  }

  /** Exchanges a refresh token for a new pair; an already rotated token revokes its whole session. */
  async refresh(tenant: string, refreshToken: string, requestId?: string): Promise<Result<TokenResponse, RefreshFailure>> {
    const outcome = await this.tenants
      .forTenant(tenant)
      .transaction(async (tx): Promise<Result<TokenResponse, RefreshFailure> | { reused: string }> => {
        const row = await lockRefreshToken(tx, refreshToken);
        if (!row) return fail('unknown');
        if (row.rotated_at) {
          await revokeSession(tx, row.session_id, 'refresh_token_reuse');
          return { reused: row.session_id };
        }
        const session = await tx.authSession.findUnique({ where: { id: row.session_id }, include: { user: { select: { status: true } } } });
        if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now()) return fail('session_ended');
        if (row.expires_at.getTime() <= Date.now()) return fail('expired');
        if (session.user.status !== 'active') return fail('user_disabled');
        await tx.refreshToken.update({ where: { id: row.id }, data: { rotatedAt: new Date() } });
        const expiresAt = new Date(Math.min(Date.now() + this.policy.refreshTokenTtlSeconds * 1000, session.expiresAt.getTime()));
        const next = await createRefreshToken(tx, session.id, expiresAt);
        const roles = await roleNamesOf(tx, session.userId);
        // A reseller whose link to this tenant changed while no SSO process heard of it (ResellerLinks).
        if (roles.includes('reseller') && !(await this.resellerGrantHolds(tx, tenant, session.userId))) return fail('session_ended');
        return ok(await this.respond(tenant, session.userId, roles, session.id, next));
      });
    if ('reused' in outcome) {
      await this.revocations.announce([outcome.reused]);
      await this.auditor.record(tenant, {
        action: 'token.refresh_reuse_detected',
        target: outcome.reused,
        data: { revokedSession: outcome.reused },
        requestId,
      });
      return fail('reused');
    }
    return outcome;
  }

  /** Ends a session; its access tokens are refused everywhere at once (the revocation list). */
  async revoke(tenant: string, sessionId: string, reason: string): Promise<boolean> {
    const revoked = await this.tenants.forTenant(tenant).transaction((tx) => revokeSession(tx, sessionId, reason));
    if (revoked) await this.revocations.announce([sessionId]);
    return revoked;
  }

  /**
   * Runs `work` in one transaction of the tenant; the sessions it answers as ended are announced on
   * the revocation list once that transaction has committed, so their access tokens are refused
   * everywhere at once.
   */
  async revoking<T>(tenant: string, work: (tx: TenantTransaction) => Promise<{ result: T; ended: readonly string[] }>): Promise<T> {
    const { result, ended } = await this.tenants.forTenant(tenant).transaction(work);
    await this.revocations.announce(ended);
    return result;
  }

  /** Whether the session behind an access token is still live (logout and revocation end it at once here). */
  async sessionIsLive(tenant: string, sessionId: string): Promise<boolean> {
    const session = await this.tenants
      .forTenant(tenant)
      .transaction((tx) => tx.authSession.findUnique({ where: { id: sessionId }, select: { revokedAt: true, expiresAt: true } }));
    return session !== null && session.revokedAt === null && session.expiresAt.getTime() > Date.now();
  }

  private async respond(tenant: string, userId: string, roles: string[], sessionId: string, refreshToken: string): Promise<TokenResponse> {
    const { token } = await this.keys.sign(
      { sub: userId, tid: tenant, roles, sid: sessionId, jti: randomUUID() },
      this.policy.accessTokenTtlSeconds,
    );
    return {
      token_type: 'Bearer',
      access_token: token,
      expires_in: this.policy.accessTokenTtlSeconds,
      refresh_token: refreshToken,
      session_id: sessionId,
    };
  }
}
