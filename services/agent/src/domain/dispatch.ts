import { agentDispatchSchema, type AgentDispatch } from '@mindbot/sdk/agent-job';
import { roomNameOf } from '@mindbot/tenancy';
import { safeJson } from '../safe-json.js';

/** Why a dispatched job is refused: the worker never runs a call it cannot vouch for. */
export type DispatchRefusal = 'unreadable_metadata' | 'room_mismatch' | 'other_tenant';

/**
 * Reads the gateway's dispatch metadata and checks it against the room the job was sent to and,
 * for a tenant's dedicated worker, against the tenant the worker serves.
 */
export function checkDispatch(
  metadata: string,
  room: { name: string | undefined; metadata: string | undefined },
  ownTenant: string | undefined,
): { ok: true; dispatch: AgentDispatch } | { ok: false; refusal: DispatchRefusal } {
  let parsed: ReturnType<typeof agentDispatchSchema.safeParse>;
  try {
    parsed = agentDispatchSchema.safeParse(JSON.parse(metadata));
  } catch {
    return { ok: false, refusal: 'unreadable_metadata' };
  }
  if (!parsed.success) return { ok: false, refusal: 'unreadable_metadata' };
  const dispatch = parsed.data;
  if (ownTenant !== undefined && dispatch.tenant !== ownTenant) return { ok: false, refusal: 'other_tenant' };
  if (room.name !== roomNameOf(dispatch.tenant, dispatch.sessionId)) return { ok: false, refusal: 'room_mismatch' };
  // The room's own metadata (written by the gateway when it created the room) must tell the same story.
  if (room.metadata !== undefined && room.metadata !== '') {
    const said = safeJson(room.metadata) as { tenant?: unknown; sessionId?: unknown; userId?: unknown } | undefined;
    if (said?.tenant !== dispatch.tenant || said.sessionId !== dispatch.sessionId || said.userId !== dispatch.userId)
      return { ok: false, refusal: 'room_mismatch' };
  }
  return { ok: true, dispatch };
}
