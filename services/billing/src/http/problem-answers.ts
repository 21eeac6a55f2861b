import type { RouteResponse } from '@mindbot/http';
import { problemSchema } from '@mindbot/sdk/schemas';

/** A documented problem answer (RFC 9457 `application/problem+json`). */
export const problem = (description: string): RouteResponse => ({ description, schema: problemSchema });
export const signIn = problem('Not signed in');
export const adminOnly = problem('Not an owner or admin of this tenant');
/** Internal routes: the platform's service token, or the job token of the session in the path where the route admits the agent. */
export const noCredential = problem('No valid service or job credential for this session');
