import { requireServiceToken } from '@mindbot/auth';
import type { RequestHandler, Response } from 'express';
import type { TenantClients } from '@mindbot/db';
import { AppError, parseInput } from '@mindbot/errors';
import { responseLocal } from '@mindbot/http';
import type { TenantRegistry } from '@mindbot/tenant-registry';
import { JOB_TOKEN_GRACE_SECONDS, jobTokenMatches, looksLikeJobToken } from '../domain/job-tokens.js';
import { sessionIdParams } from './schemas.js';
import { tenantFromPath, tenantOf } from './tenant-context.js';

/** The voice session a request on /internal/v1/tenants/:tenant/sessions/:id/… acts on, and whose user it is. */
export interface SessionCaller {
  /** `job` is the agent with that session's own credential; `service` a platform service (the gateway). */
  kind: 'job' | 'service';
  sessionId: string;
  userId: string;
  active: boolean;
}

const sessionCallerLocal = responseLocal<SessionCaller>('session caller');

export function sessionCallerOf(res: Response): SessionCaller {
  return sessionCallerLocal.get(res);
}

const unauthenticated = () =>
  new AppError('unauthenticated', 'A valid service or job credential for this session is required.', {
    headers: { 'WWW-Authenticate': 'Bearer realm="mindbot-internal"' },
  });

function bearerOf(authorization: string | undefined): string | undefined {
  return /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
}

/**
 * Guards the routes of one voice session. The agent presents the job token billing minted for that
 * session (docs/adr/0050-agent-job-credentials.md): it must match the session named in the path,
 * whose tenant is the one in the path, while the session runs or within a short grace after it
 * ended. `allowService` also admits the platform's service token (the gateway ends sessions too).
 */
export function requireSessionCaller(options: {
  serviceTokens: readonly string[];
  registry: TenantRegistry;
  tenants: TenantClients;
  clock: () => Date;
  allowService: boolean;
}): RequestHandler[] {
  const service = requireServiceToken(options.serviceTokens);
  const credential: RequestHandler = (req, res, next) => {
    const bearer = bearerOf(req.headers.authorization);
    if (bearer !== undefined && looksLikeJobToken(bearer)) {
      next();
      return;
    }
    if (!options.allowService) throw unauthenticated();
    service(req, res, next);
  };
  const session: RequestHandler = async (req, res, next) => {
    const { id } = parseInput(sessionIdParams, { id: req.params.id }, 'params');
    // `credential` admitted either a job-token-shaped bearer (checked against the session here) or a valid service token.
    const bearer = bearerOf(req.headers.authorization);
    const presented = bearer !== undefined && looksLikeJobToken(bearer) ? bearer : undefined;
    const rows = await options.tenants.forTenant(tenantOf(res).slug).transaction(
      (tx) => tx.$queryRaw<{ user_id: string; status: string; ended_at: Date | null; job_token_hash: string | null }[]>`
        SELECT user_id, status, ended_at, job_token_hash FROM voice_sessions WHERE id = ${id}`,
    );
    const row = rows[0];
    if (presented !== undefined) {
      // A job token that does not match this very session is refused the same way whether the session exists or not.
      if (!row || !jobTokenMatches(presented, row.job_token_hash)) throw unauthenticated();
      const graceEnds = row.ended_at === null ? Infinity : row.ended_at.getTime() + JOB_TOKEN_GRACE_SECONDS * 1000;
      if (options.clock().getTime() > graceEnds)
        throw new AppError('unauthenticated', 'This voice session has ended; its job credential has expired.');
    } else if (!row) {
      throw new AppError('not_found', 'No such voice session.');
    }
    sessionCallerLocal.set(res, {
      kind: presented === undefined ? 'service' : 'job',
      sessionId: id,
      userId: row.user_id,
      active: row.status === 'active',
    });
    req.log = req.log.child({ sessionId: id });
    next();
  };
  return [credential, tenantFromPath(options.registry), session];
}
