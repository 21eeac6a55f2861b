import type { Express } from 'express';
import { z } from 'zod';
import { AppError, parseInput } from '@mindbot/errors';
import { startSession } from '../domain/metering.js';
import type { RouteContext } from '../http/route-context.js';
import { personaId, requestKey, userId } from '../http/schemas.js';
import { tenantOf } from '../http/tenant-context.js';

/** `persona`: the persona the user chose (the gateway checked that the tenant offers it). */
const body = z.object({ userId, startKey: requestKey, persona: personaId.optional() }).strict();

/**
 * POST /internal/v1/tenants/:tenant/sessions — the gateway starts a voice session: time is
 * reserved, or 402 when the user has none, or 429 when the tenant already runs as many sessions as
 * its plan's `concurrentSessions`. `startKey` makes a retried start answer the same session. The
 * answer carries the agent's job token for this session (docs/adr/0050-agent-job-credentials.md).
 */
export function internalV1SessionsStart(app: Express, ctx: RouteContext): void {
  app.post('/internal/v1/tenants/:tenant/sessions', ...ctx.service, async (req, res) => {
    const input = parseInput(body, req.body);
    const { slug: tenant, displayName, concurrentSessions } = tenantOf(res);
    const result = await ctx.meteringGate.run(`start:${tenant}:${input.userId}`, () =>
      startSession(
        ctx.deps.tenants.forTenant(tenant),
        { ...input, persona: input.persona ?? null },
        ctx.billing.metering,
        ctx.billing.clock(),
        { tenant, concurrentSessions },
      ),
    );
    if (!result.ok) {
      if (result.failure === 'concurrent_sessions') {
        throw new AppError(
          'rate_limited',
          `${displayName} already has ${concurrentSessions} voice sessions running, the most its plan allows; try again when one ends.`,
          {
            extensions: { reason: 'concurrent_sessions', limit: 'concurrentSessions', concurrentSessions },
          },
        );
      }
      if (result.failure === 'no_minutes')
        throw new AppError('payment_required', 'The user has no minutes left: buy and activate a time card first.', {
          extensions: { reason: 'no_minutes' },
        });
      throw new AppError('conflict', 'This startKey already started a session for another user.');
    }
    res.status(201).json(result.value);
  });
}
