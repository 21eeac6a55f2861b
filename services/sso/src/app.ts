import { requireServiceToken } from '@mindbot/auth';
import express, { type Express } from 'express';
import { createHttpApp } from '@mindbot/http';
import { type ServiceDeps, httpOptionsOf } from '@mindbot/service-runtime';
import type { SsoConfig } from './config.js';
import { buildSsoDeps, type SsoDeps, type SsoDepsOverrides } from './deps.js';
import { signedIn, tenantAdmin } from './http/guards.js';
import { loginRateLimit } from './http/login-rate-limit.js';
import type { AppRoute, RouteContext } from './http/route-context.js';
import { tenantContext } from './http/tenant-context.js';
import { internalV1OwnersInvite } from './routes/internal-v1-owners-invite.js';
import { v1ConnectionsCreate } from './routes/v1-connections-create.js';
import { v1ConnectionsDelete } from './routes/v1-connections-delete.js';
import { v1ConnectionsGet } from './routes/v1-connections-get.js';
import { v1ConnectionsList } from './routes/v1-connections-list.js';
import { v1ConnectionsTest } from './routes/v1-connections-test.js';
import { v1ConnectionsUpdate } from './routes/v1-connections-update.js';
import { v1DomainsCreate } from './routes/v1-domains-create.js';
import { v1DomainsList } from './routes/v1-domains-list.js';
import { v1DomainsVerify } from './routes/v1-domains-verify.js';
import { v1IdpMetadataFetch } from './routes/v1-idp-metadata-fetch.js';
import { v1InvitationsAccept } from './routes/v1-invitations-accept.js';
import { v1InvitationsCreate } from './routes/v1-invitations-create.js';
import { v1InvitationsDelete } from './routes/v1-invitations-delete.js';
import { v1InvitationsList } from './routes/v1-invitations-list.js';
import { v1InvitationsPreview } from './routes/v1-invitations-preview.js';
import { v1LoginStart } from './routes/v1-login-start.js';
import { v1LogoutCreate } from './routes/v1-logout-create.js';
import { v1MeDelete } from './routes/v1-me-delete.js';
import { v1MeExportGet } from './routes/v1-me-export-get.js';
import { v1MeGet } from './routes/v1-me-get.js';
import { v1MeNotificationPreferencesGet } from './routes/v1-me-notification-preferences-get.js';
import { v1MeNotificationPreferencesUpdate } from './routes/v1-me-notification-preferences-update.js';
import { v1OidcCallback } from './routes/v1-oidc-callback.js';
import { v1PasswordLogin } from './routes/v1-password-login.js';
import { v1PasswordRegister } from './routes/v1-password-register.js';
import { v1PasswordResetConfirm } from './routes/v1-password-reset-confirm.js';
import { v1PasswordResetRequest } from './routes/v1-password-reset-request.js';
import { v1SamlAcsPost } from './routes/v1-saml-acs-post.js';
import { v1SamlMetadataGet } from './routes/v1-saml-metadata-get.js';
import { v1SamlSloPost, v1SamlSloRedirect } from './routes/v1-saml-slo.js';
import { v1SessionsRevoke } from './routes/v1-sessions-revoke.js';
import { v1SsoCodeExchange } from './routes/v1-sso-code-exchange.js';
import { v1SsoResellerHandoff } from './routes/v1-sso-reseller-handoff.js';
import { v1TokenRefresh } from './routes/v1-token-refresh.js';
import { v1UsersBlock } from './routes/v1-users-block.js';
import { v1UsersDelete } from './routes/v1-users-delete.js';
import { v1UsersErasureCreate } from './routes/v1-users-erasure-create.js';
import { v1UsersExportGet } from './routes/v1-users-export-get.js';
import { v1UsersList } from './routes/v1-users-list.js';
import { v1UsersRolesUpdate } from './routes/v1-users-roles-update.js';
import { v1UsersUnblock } from './routes/v1-users-unblock.js';
import { wellKnownJwksGet } from './routes/well-known-jwks-get.js';

/** Every route of SSO's public API (served through the gateway), in the order the OpenAPI document lists them. */
export const PUBLIC_ROUTES: readonly AppRoute[] = [
  wellKnownJwksGet,
  v1LoginStart,
  v1OidcCallback,
  v1SsoCodeExchange,
  v1SsoResellerHandoff,
  v1SamlMetadataGet,
  v1SamlAcsPost,
  v1SamlSloRedirect,
  v1SamlSloPost,
  v1ConnectionsList,
  v1ConnectionsCreate,
  v1ConnectionsGet,
  v1ConnectionsUpdate,
  v1ConnectionsDelete,
  v1ConnectionsTest,
  v1IdpMetadataFetch,
  v1DomainsList,
  v1DomainsCreate,
  v1DomainsVerify,
  v1PasswordRegister,
  v1PasswordLogin,
  v1PasswordResetRequest,
  v1PasswordResetConfirm,
  v1TokenRefresh,
  v1MeGet,
  v1MeNotificationPreferencesGet,
  v1MeNotificationPreferencesUpdate,
  v1LogoutCreate,
  v1SessionsRevoke,
  v1UsersList,
  v1UsersRolesUpdate,
  v1UsersBlock,
  v1UsersUnblock,
  v1UsersDelete,
  v1UsersExportGet,
  v1UsersErasureCreate,
  v1MeExportGet,
  v1MeDelete,
  v1InvitationsCreate,
  v1InvitationsList,
  v1InvitationsDelete,
  v1InvitationsPreview,
  v1InvitationsAccept,
];

/** The platform's own calls (provisioning, with a service token); never in the public document. */
export const INTERNAL_ROUTES: readonly AppRoute[] = [internalV1OwnersInvite];

/** The SAML bindings that take form posts: mounted before the JSON body parser, each parsing its own form (with its own cap). */
const SAML_FORM_ROUTES: ReadonlySet<AppRoute> = new Set([v1SamlAcsPost, v1SamlSloRedirect, v1SamlSloPost]);
/** Served on any host, with no tenant: the keys are the platform's. */
const HOSTLESS_ROUTES: ReadonlySet<AppRoute> = new Set([wellKnownJwksGet]);

/** The sso's express app: SAML and OIDC per tenant, password login, platform tokens and JWKS. */
export function createApp(deps: ServiceDeps, config: SsoConfig, overrides: SsoDepsOverrides = {}): Express {
  return createSsoApp(deps, buildSsoDeps(deps, config, overrides));
}

/** The app over already built SsoDeps (tests keep a handle on them). */
export function createSsoApp(deps: ServiceDeps, sso: SsoDeps): Express {
  const config = sso.config;
  const ctx: RouteContext = {
    deps,
    sso,
    signedIn: signedIn(sso),
    admin: tenantAdmin(sso),
    loginRateLimit: loginRateLimit(sso),
    service: [requireServiceToken(sso.serviceTokens)],
  };
  const resolveTenant = () =>
    tenantContext({
      registry: deps.registry,
      region: deps.region,
      scheme: config.SSO_PUBLIC_SCHEME,
      baseDomain: config.BASE_DOMAIN,
      auditor: sso.auditor,
    });
  return createHttpApp({
    ...httpOptionsOf(deps),
    service: 'sso',
    rawRoutes: (app) => {
      const saml = express.Router();
      saml.use('/v1/sso/saml', resolveTenant());
      for (const route of PUBLIC_ROUTES) if (SAML_FORM_ROUTES.has(route)) route.mount(saml, ctx);
      app.use(saml);
    },
    routes: (app) => {
      const hostless = express.Router();
      for (const route of PUBLIC_ROUTES) if (HOSTLESS_ROUTES.has(route)) route.mount(hostless, ctx);
      app.use(hostless);
      const tenant = express.Router();
      tenant.use('/v1', resolveTenant());
      for (const route of PUBLIC_ROUTES) if (!SAML_FORM_ROUTES.has(route) && !HOSTLESS_ROUTES.has(route)) route.mount(tenant, ctx);
      app.use(tenant);
      // The tenant is in the path: the caller is the platform, not a browser on the tenant's host.
      const internal = express.Router();
      for (const route of INTERNAL_ROUTES) route.mount(internal, ctx);
      app.use(internal);
    },
  });
}
