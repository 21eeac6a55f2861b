import { hash, verify } from '@node-rs/argon2';
import type { TenantClients } from '@mindbot/db';
import { newId } from '@mindbot/ids';
import { hashToken, newOpaqueToken, revokeUserSessions } from '../data/session-repository.js';
import type { TokenResponse, TokenService } from './token-service.js';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane (the library's default algorithm is argon2id). */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const RESET_TTL_MS = 30 * 60_000;
const COMMON = new Set([
  'password1234',
  '123456789012',
  'qwertyuiopas',
  'letmein12345',
  'passwordpassword',
  'welcome12345',
  'administrator',
]);

/** The password policy: 12–128 characters, not a well-known password, not the email itself. */
export function passwordProblems(password: string, email: string): string[] {
  const problems: string[] = [];
  if (password.length < 12) problems.push('must be at least 12 characters');
  if (password.length > 128) problems.push('must be at most 128 characters');
  if (COMMON.has(password.toLowerCase())) problems.push('is too common');
  const local = email.split('@')[0] ?? '';
  if (local.length >= 4 && password.toLowerCase().includes(local)) problems.push('must not contain the email address');
  if (new Set(password).size < 5) problems.push('must use at least 5 different characters');
  return problems;
}

export interface PasswordResetMailer {
  /** Delivers the single-use reset token to the user (email in production). */
  send(tenant: string, email: string, token: string): Promise<void>;
}

export type PasswordOutcome =
  | { ok: true; tokens: TokenResponse; userId: string }
  | {
      ok: false;
      reason: 'password_login_disabled' | 'policy' | 'email_taken' | 'invalid_credentials' | 'locked' | 'token_invalid';
      problems?: string[];
    };

export type ResetOutcome = { ok: true } | { ok: false; reason: 'token_invalid' | 'policy'; problems?: string[] };

// Verified against when the user does not exist, so both paths cost one argon2 verification.
const DUMMY_HASH = await hash('not-a-real-password-0000', ARGON2);

export class PasswordLogin {
  constructor(
    private readonly tenants: TenantClients,
    private readonly tokens: TokenService,
    private readonly mailer: PasswordResetMailer,
    private readonly policy: { maxFailures: number; lockoutSeconds: number },
  ) {}

  async register(tenant: string, input: { email: string; password: string; displayName?: string | undefined }): Promise<PasswordOutcome> {
    const problems = passwordProblems(input.password, input.email);
    if (problems.length > 0) return { ok: false, reason: 'policy', problems };
    const passwordHash = await hash(input.password, ARGON2);
    return this.tenants.forTenant(tenant).transaction(async (tx): Promise<PasswordOutcome> => {
      if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) return { ok: false, reason: 'email_taken' };
      const userId = newId('user');
      await tx.user.create({ data: { id: userId, email: input.email, displayName: input.displayName ?? null, passwordHash } });
      const member = await tx.role.findUnique({ where: { name: 'member' }, select: { id: true } });
      if (member) await tx.userRole.create({ data: { userId, roleId: member.id } });
      return { ok: true, userId, tokens: await this.tokens.startSession(tx, tenant, { userId, method: 'password' }) };
    });
  }

  async login(tenant: string, input: { email: string; password: string }): Promise<PasswordOutcome> {
    const user = await this.tenants
      .forTenant(tenant)
      .transaction((tx) =>
        tx.user.findUnique({ where: { email: input.email }, select: { id: true, passwordHash: true, status: true, lockedUntil: true } }),
      );
    if (user?.lockedUntil && user.lockedUntil.getTime() > Date.now()) return { ok: false, reason: 'locked' };
    const matches = await verify(user?.passwordHash ?? DUMMY_HASH, input.password);
    if (!user || !user.passwordHash || !matches || user.status !== 'active') {
      if (user) await this.recordFailure(tenant, user.id);
      return { ok: false, reason: 'invalid_credentials' };
    }
    return this.tenants.forTenant(tenant).transaction(async (tx): Promise<PasswordOutcome> => {
      await tx.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
      return { ok: true, userId: user.id, tokens: await this.tokens.startSession(tx, tenant, { userId: user.id, method: 'password' }) };
    });
  }

  /** Always succeeds from the caller's point of view, so it does not reveal which emails exist. */
  async requestReset(tenant: string, email: string): Promise<void> {
    const token = newOpaqueToken('mbp');
    const found = await this.tenants.forTenant(tenant).transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { email }, select: { id: true, status: true } });
      if (user?.status !== 'active') return false;
      await tx.passwordResetToken.create({
        data: { id: newId('resetToken'), userId: user.id, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + RESET_TTL_MS) },
      });
      return true;
    });
    if (found) await this.mailer.send(tenant, email, token);
  }

  /** Sets a new password with a single-use, unexpired token; every session of the user ends. */
  async reset(tenant: string, token: string, password: string): Promise<ResetOutcome> {
    // The user's sessions end in the same transaction; their access tokens are refused everywhere once it commits.
    return this.tokens.revoking(tenant, async (tx): Promise<{ result: ResetOutcome; ended: string[] }> => {
      const refused = (result: ResetOutcome) => ({ result, ended: [] });
      const row = await tx.passwordResetToken.findUnique({
        where: { tokenHash: hashToken(token) },
        include: { user: { select: { email: true } } },
      });
      if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now()) return refused({ ok: false, reason: 'token_invalid' });
      const problems = passwordProblems(password, row.user.email);
      if (problems.length > 0) return refused({ ok: false, reason: 'policy', problems });
      const { count } = await tx.passwordResetToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
      if (count !== 1) return refused({ ok: false, reason: 'token_invalid' });
      await tx.user.update({
        where: { id: row.userId },
        data: { passwordHash: await hash(password, ARGON2), failedLogins: 0, lockedUntil: null, updatedAt: new Date() },
      });
      return { result: { ok: true }, ended: await revokeUserSessions(tx, row.userId, 'password_reset') };
    });
  }

  private async recordFailure(tenant: string, userId: string): Promise<void> {
    await this.tenants.forTenant(tenant).transaction(async (tx) => {
      const rows = await tx.$queryRaw<
        { failed_logins: number }[]
      >`UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ${userId} RETURNING failed_logins`;
      if ((rows[0]?.failed_logins ?? 0) >= this.policy.maxFailures) {
        await tx.user.update({
          where: { id: userId },
          data: { failedLogins: 0, lockedUntil: new Date(Date.now() + this.policy.lockoutSeconds * 1000) },
        });
      }
    });
  }
}
