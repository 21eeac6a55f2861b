import type { Request, Response } from 'express';
import { AppError } from '@mindbot/errors';
import { tokenResponseSchema, type JsonAnswer } from '@mindbot/sdk/schemas';
import type { Connection } from '../data/connection-repository.js';
import { isUniqueViolation, provisionIdentity, type AssertedIdentity } from '../domain/provisioning.js';
import type { SignInRelay } from '../domain/sign-in-relay.js';
import type { Sso } from '../sso.js';
import { requestIdOf } from './guards.js';
import { refuseLogin } from './refuse-login.js';
import type { TenantContext } from './tenant-context.js';

/**
 * After an IdP's answer was verified: provision the user, then answer the sign-in. Without a relay
 * (API clients, popups) the session starts now and its tokens are the JSON answer. With one (a
 * browser sent with `returnTo`) the browser is sent back with a 303 carrying a one-time code in the
 * fragment; the session starts when the code is redeemed, so no token is ever in a URL or a store.
 */
export async function finishIdpLogin(
  sso: Sso,
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
  const { tenant, connection, saml, relay } = login;
  const session = { method: connection.kind, connectionId: connection.id, samlNameId: saml?.nameId, samlSessionIndex: saml?.sessionIndex };
  const outcome = await sso.deps.tenants
    .forTenant(tenant.slug)
    .transaction(async (tx) => {
      const provisioned = await provisionIdentity(tx, connection, login.identity, { jitProvisioning: tenant.jitProvisioning });
      if (!provisioned.ok) return provisioned;
      const tokens = relay ? undefined : await sso.tokens.startSession(tx, tenant.slug, { userId: provisioned.userId, ...session });
      return { ...provisioned, tokens };
    })
    .catch((error: unknown) => {
      // Two first sign-ins of one person at once (one email through two connections, or one identity
      // twice): the one that committed first stands, this one is a 409 (nothing of it was written).
      if (isUniqueViolation(error)) return { ok: false as const, reason: 'provisioning_conflict' as const };
      throw error;
    });
  if (!outcome.ok) {
    const status = outcome.reason === 'provisioning_conflict' ? 'conflict' : 'forbidden';
    return refuseLogin(sso.auditor, req, tenant.slug, {
      reason: outcome.reason,
      connectionId: connection.id,
      status,
      returnTo: relay?.returnTo,
    });
  }
  const base = { method: connection.kind, created: outcome.created, roles: outcome.roles };
  if (outcome.tokens) {
    await sso.auditor.record(tenant.slug, {
      action: 'sso.login_succeeded',
      actorId: outcome.userId,
      target: connection.id,
      data: { ...base, session: outcome.tokens.session_id },
      requestId: requestIdOf(req),
    });
    res.set('Cache-Control', 'no-store').json(outcome.tokens satisfies JsonAnswer<typeof tokenResponseSchema>);
    return;
  }
  if (!relay) throw new AppError('internal', 'A sign-in ended with neither tokens nor a relay.');
  const code = await sso.codes.issue(tenant.slug, { userId: outcome.userId, ...session, codeChallenge: relay.codeChallenge });
  const location = new URL(relay.returnTo);
  await sso.auditor.record(tenant.slug, {
    action: 'sso.login_succeeded',
    actorId: outcome.userId,
    target: connection.id,
    data: { ...base, returnTo: location.origin, pkce: relay.codeChallenge !== undefined },
    requestId: requestIdOf(req),
  });
  location.hash = new URLSearchParams({ code }).toString();
  // no-referrer: the page at returnTo must not pass this URL on; the fragment never leaves the browser anyway.
  res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(303, location.href);
}
