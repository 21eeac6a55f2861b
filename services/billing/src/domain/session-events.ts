import type { Prisma, TenantScope } from '@mindbot/db';

/** One thing said or done in a call: a user or agent turn, or a tool call with its arguments. */
export interface SessionEvent {
  seq: number;
  kind: 'user' | 'agent' | 'tool';
  text: string;
  toolName?: string | undefined;
  toolArguments?: Record<string, unknown> | undefined;
  at: Date;
}

/**
 * Appends a call's events; a retried append (same `seq`) stores nothing twice. Answers how many
 * were new, and whether they are kept at all: a tenant that keeps no transcripts stores nothing
 * (`kept: false`, so the agent can stop sending).
 */
export async function appendSessionEvents(
  scope: TenantScope,
  session: { sessionId: string; userId: string },
  events: readonly SessionEvent[],
  tenant: { keepTranscripts: boolean },
): Promise<{ stored: number; kept: boolean }> {
  if (!tenant.keepTranscripts) return { stored: 0, kept: false };
  const result = await scope.transaction((tx) =>
    tx.voiceSessionEvent.createMany({
      data: events.map((e) => ({
        sessionId: session.sessionId,
        userId: session.userId,
        seq: e.seq,
        kind: e.kind,
        text: e.text,
        toolName: e.kind === 'tool' ? (e.toolName ?? 'unknown') : null,
        toolArguments: e.kind === 'tool' && e.toolArguments !== undefined ? (e.toolArguments as Prisma.InputJsonObject) : undefined,
        createdAt: e.at,
      })),
      skipDuplicates: true,
    }),
  );
  return { stored: result.count, kept: true };
}

/** A session's events in order, or undefined when the session is not the user's (or not there). */
export async function sessionEventsOf(scope: TenantScope, sessionId: string, userId: string | null) {
  return scope.transaction(async (tx) => {
    const session = await tx.voiceSession.findUnique({
      where: { id: sessionId },
      select: { id: true, userId: true, persona: true, startedAt: true, endedAt: true },
    });
    if (!session || (userId !== null && session.userId !== userId)) return undefined;
    const events = await tx.voiceSessionEvent.findMany({ where: { sessionId }, orderBy: { seq: 'asc' }, take: 5_000 });
    return {
      sessionId: session.id,
      userId: session.userId,
      persona: session.persona,
      startedAt: session.startedAt,
      endedAt: session.endedAt,
      events: events.map((e) => ({
        seq: e.seq,
        kind: e.kind,
        text: e.text,
        toolName: e.toolName,
        toolArguments: e.toolArguments,
        at: e.createdAt,
      })),
    };
  });
}
