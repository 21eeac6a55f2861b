/** The agent name a tenant's dedicated workers register under; shared pools have a name of their own. */
export function dedicatedAgentName(tenant: string): string {
  return `tenant-${tenant}`;
}

/** The LiveKit room of a voice session: `mb_<tenant>_<session id>` (slugs have no underscore, so it reads back unambiguously). */
export function roomNameOf(tenant: string, sessionId: string): string {
  return `mb_${tenant}_${sessionId}`;
}
