/** SQLSTATE undefined_object, with the words Postgres uses when a role vanished under a statement that had already found it. */
const UNDEFINED_OBJECT = '42704';
const ROLE_DROPPED = /^role \d+ was concurrently dropped$/;

/** True for that error, or for an error caused by it (a build wraps it to name the failing file). */
function isRoleDroppedMidway(error: unknown): boolean {
  for (let seen: unknown = error; typeof seen === 'object' && seen !== null; seen = (seen as { cause?: unknown }).cause) {
    const { code, message } = seen as { code?: unknown; message?: unknown };
    if (code === UNDEFINED_OBJECT && typeof message === 'string' && ROLE_DROPPED.test(message)) return true;
  }
  return false;
}

/**
 * Runs `attempt` again when another session dropped the tenant's role after `attempt` found it and
 * before it made the role own anything. Roles are server-wide, so a second database on the same
 * server (a second region run locally, another platform's tests) can remove a tenant of the same
 * name, role and all, while this one creates it. `attempt` must be one transaction, rolled back
 * whole on error: the next try then creates the role afresh.
 */
export async function retryingWhenRoleDropped<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= tries || !isRoleDroppedMidway(error)) throw error;
    }
  }
}
