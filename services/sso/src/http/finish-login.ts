import type { Request, Response } from 'express';
import { tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { Connection } from '../data/connection-repository.js';
import type { AssertedIdentity } from '../domain/just-in-time-users.js';
import type { SignInRelay } from '../domain/sign-in-relay.js';
import { requestIdOf } from './guards.js';
import { refuseLogin } from './refuse-login.js';
import type { RouteContext } from './route-context.js';
import type { TenantContext } from './tenant-context.js';

/**
 * After an IdP's answer was verified: find or create the user, then answer the sign-in. Without a
 * relay (API clients, popups) the session starts now and its tokens are the JSON answer. With one (a
 * browser sent with `returnTo`) the browser is sent back with a 303 carrying a one-time code in the
 * fragment; the session starts when the code is redeemed, so no token is ever in a URL or a store.
 */
export async function finishIdpLogin(
  ctx: RouteContext,
  req: Request,
  res: Response,
  login: {
    tenant: TenantContext;
    connection: Connection;
    identity: AssertedIdentity;
    saml?: { nameId: string; sessionIndex: string | undefined };
    relay: SignInRelay | undefined;
  },
): Promise<void> {
  const { tenant, connection, relay } = login;
  const outcome = await ctx.sso.idpSignIn.complete(tenant.slug, {
    connection,
    identity: login.identity,
    createUsers: tenant.jitProvisioning,
    saml: login.saml,
    relay,
    requestId: requestIdOf(req),
  });
  if (!outcome.ok) {
    return refuseLogin(ctx.sso.auditor, req, tenant.slug, {
      reason: outcome.failure,
      connectionId: connection.id,
      status: outcome.failure === 'provisioning_conflict' ? 'conflict' : 'forbidden',
      returnTo: relay?.returnTo,
    });
  }
  const answer = outcome.value;
  if ('tokens' in answer) {
    res.set('Cache-Control', 'no-store').json(answer.tokens satisfies JsonAnswer<typeof tokenResponseSchema>);
    return;
  }
  const location = new URL(answer.relay.returnTo);
  location.hash = new URLSearchParams({ code: answer.code }).toString();
  // no-referrer: the page at returnTo must not pass this URL on; the fragment never leaves the browser anyway.
  res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(303, location.href);
}
