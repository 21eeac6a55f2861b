import { hash, verify } from '@node-rs/argon2';
import type { TenantClients } from '@mindbot/db';
import { fail, ok, type Result } from '@mindbot/errors';
import { newId } from '@mindbot/ids';
import { hashToken, newOpaqueToken, revokeUserSessions } from '../data/session-repository.js';
import type { Auditor } from './audit.js';
import type { MailingTenant } from './tenant-mail.js';
import type { TokenResponse, TokenService } from './token-service.js';
import { announceUserCreated } from './user-events.js';

/** OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane (the library's default algorithm is argon2id). */
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
/** How long a password-reset link works. */
export const RESET_TTL_MINUTES = 30;
const RESET_TTL_MS = RESET_TTL_MINUTES * 60_000;
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

/** An argon2id hash of a password the policy accepted. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export interface PasswordResetMailer {
  /** Delivers the single-use reset token to the user: a mail in the tenant's name with a link to its console. */
  send(tenant: MailingTenant, email: string, token: string): Promise<void>;
}

export interface PasswordSignIn {
  tokens: TokenResponse;
  userId: string;
}

/** A password the policy refuses: a failure of the Result shape that carries every rule it breaks. */
export interface WeakPassword {
  ok: false;
  failure: 'policy';
  problems: string[];
}

const weak = (problems: string[]): WeakPassword => ({ ok: false, failure: 'policy', problems });

export type RegisterOutcome = Result<PasswordSignIn, 'email_taken'> | WeakPassword;
export type LoginOutcome = Result<PasswordSignIn, 'invalid_credentials' | 'locked'>;
export type ResetOutcome = Result<void, 'token_invalid'> | WeakPassword;

// Verified against when the user does not exist, so both paths cost one argon2 verification.
const DUMMY_HASH = await hash('not-a-real-password-0000', ARGON2);

export class PasswordLogin {
  constructor(
    private readonly tenants: TenantClients,
    private readonly tokens: TokenService,
    private readonly mailer: PasswordResetMailer,
    private readonly auditor: Auditor,
    private readonly policy: { maxFailures: number; lockoutSeconds: number },
  ) {}

  async register(
    tenant: string,
    input: { email: string; password: string; displayName?: string | undefined },
    requestId: string | undefined,
  ): Promise<RegisterOutcome> {
    const outcome = await this.createAccount(tenant, input);
    if (outcome.ok) await this.auditor.record(tenant, { action: 'password.registered', actorId: outcome.value.userId, requestId });
    return outcome;
  }

  /** One answer for every failure (audited with its reason); repeated failures lock the account for a while. */
  async login(tenant: string, input: { email: string; password: string }, requestId: string | undefined): Promise<LoginOutcome> {
    const outcome = await this.checkPassword(tenant, input);
    await this.auditor.record(
      tenant,
      outcome.ok
        ? { action: 'password.login_succeeded', actorId: outcome.value.userId, requestId }
        : { action: 'password.login_refused', data: { reason: outcome.failure }, requestId },
    );
    return outcome;
  }

  private async createAccount(
    tenant: string,
    input: { email: string; password: string; displayName?: string | undefined },
  ): Promise<RegisterOutcome> {
    const problems = passwordProblems(input.password, input.email);
    if (problems.length > 0) return weak(problems);
    const passwordHash = await hash(input.password, ARGON2);
    return this.tenants.forTenant(tenant).transaction(async (tx): Promise<RegisterOutcome> => {
      if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) return fail('email_taken');
      const userId = newId('user');
      await tx.user.create({ data: { id: userId, email: input.email, displayName: input.displayName ?? null, passwordHash } });
      const member = await tx.role.findUnique({ where: { name: 'member' }, select: { id: true } });
      if (member) await tx.userRole.create({ data: { userId, roleId: member.id } });
      await announceUserCreated(tx, userId, input.email);
      return ok({ userId, tokens: await this.tokens.startSession(tx, tenant, { userId, method: 'password' }) });
    });
  }

  private async checkPassword(tenant: string, input: { email: string; password: string }): Promise<LoginOutcome> {
    const user = await this.tenants
      .forTenant(tenant)
      .transaction((tx) =>
        tx.user.findUnique({ where: { email: input.email }, select: { id: true, passwordHash: true, status: true, lockedUntil: true } }),
      );
    if (user?.lockedUntil && user.lockedUntil.getTime() > Date.now()) return fail('locked');
    const matches = await verify(user?.passwordHash ?? DUMMY_HASH, input.password);
    if (!user || !user.passwordHash || !matches || user.status !== 'active') {
      if (user) await this.recordFailure(tenant, user.id);
      return fail('invalid_credentials');
    }
    return this.tenants.forTenant(tenant).transaction(async (tx): Promise<LoginOutcome> => {
      await tx.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
      return ok({ userId: user.id, tokens: await this.tokens.startSession(tx, tenant, { userId: user.id, method: 'password' }) });
    });
  }

  /**
   * Always succeeds from the caller's point of view, so it does not reveal which emails exist (a
   * mail that could not be sent is audited, not answered).
   */
  async requestReset(tenant: MailingTenant, email: string): Promise<void> {
    const token = newOpaqueToken('mbp');
    const found = await this.tenants.forTenant(tenant.slug).transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { email }, select: { id: true, status: true } });
      if (user?.status !== 'active') return false;
      await tx.passwordResetToken.create({
        data: { id: newId('resetToken'), userId: user.id, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + RESET_TTL_MS) },
      });
      return true;
    });
    if (!found) return;
    try {
      await this.mailer.send(tenant, email, token);
    } catch (error) {
      await this.auditor.record(tenant.slug, {
        action: 'password.reset_mail_failed',
        data: { error: error instanceof Error ? error.message.slice(0, 200) : 'unknown' },
      });
    }
  }

  /** Sets a new password with a single-use, unexpired token; every session of the user ends. */
  async reset(tenant: string, token: string, password: string, requestId: string | undefined): Promise<ResetOutcome> {
    const outcome = await this.setPassword(tenant, token, password);
    if (outcome.ok) await this.auditor.record(tenant, { action: 'password.reset', requestId });
    return outcome;
  }

  private async setPassword(tenant: string, token: string, password: string): Promise<ResetOutcome> {
    // The user's sessions end in the same transaction; their access tokens are refused everywhere once it commits.
    return this.tokens.revoking(tenant, async (tx): Promise<{ result: ResetOutcome; ended: string[] }> => {
      const refused = (result: ResetOutcome) => ({ result, ended: [] });
      const row = await tx.passwordResetToken.findUnique({
        where: { tokenHash: hashToken(token) },
        include: { user: { select: { email: true } } },
      });
      if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now()) return refused(fail('token_invalid'));
      const problems = passwordProblems(password, row.user.email);
      if (problems.length > 0) return refused(weak(problems));
      const { count } = await tx.passwordResetToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
      if (count !== 1) return refused(fail('token_invalid'));
      await tx.user.update({
        where: { id: row.userId },
        data: { passwordHash: await hash(password, ARGON2), failedLogins: 0, lockedUntil: null, updatedAt: new Date() },
      });
      return { result: ok(undefined), ended: await revokeUserSessions(tx, row.userId, 'password_reset') };
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
