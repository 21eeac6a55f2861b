import type { RouteResponse } from '@mindbot/http';
import { problemSchema, tokenResponseSchema } from '@mindbot/sdk/schemas';

/** Answers several of SSO's routes describe alike in the OpenAPI document. */
export const problem = (description: string): RouteResponse => ({ description, schema: problemSchema });
export const tokens: RouteResponse = { description: 'Platform tokens', schema: tokenResponseSchema };
export const signIn = problem('Not signed in');
export const adminOnly = problem('Not an owner or admin of this tenant');
export const refused = problem('The sign-in was refused (the reason is audited, not told)');
export const lostRace = problem(
  'A first sign-in that lost the race with a concurrent first sign-in of the same email (another connection of the tenant, or the same identity twice): the other made the user, so signing in again succeeds (audited as provisioning_conflict)',
);
export const backToApp: RouteResponse = {
  description:
    'The sign-in was started with returnTo: back there, with a one-time code in the fragment (`#code=…`) for POST /v1/sso/exchange, never tokens; or, when it was refused after the login state was found, `#error=<code>&error_description=<text>` with the code of the problem answer it replaces',
};
