import express, { type Express } from 'express';
import { createHttpApp } from '@mindbot/http';
import { type ServiceDeps, httpOptionsOf } from '@mindbot/service-runtime';
import type { SsoConfig } from './config.js';
import { tenantContext } from './http/tenant-context.js';
import { v1ConnectionsCreate } from './routes/v1-connections-create.js';
import { v1ConnectionsDelete } from './routes/v1-connections-delete.js';
import { v1ConnectionsGet } from './routes/v1-connections-get.js';
import { v1ConnectionsList } from './routes/v1-connections-list.js';
import { v1ConnectionsUpdate } from './routes/v1-connections-update.js';
import { v1DomainsCreate } from './routes/v1-domains-create.js';
import { v1DomainsList } from './routes/v1-domains-list.js';
import { v1DomainsVerify } from './routes/v1-domains-verify.js';
import { v1LoginStart } from './routes/v1-login-start.js';
import { v1LogoutCreate } from './routes/v1-logout-create.js';
import { v1MeGet } from './routes/v1-me-get.js';
import { v1OidcCallback } from './routes/v1-oidc-callback.js';
import { v1PasswordLogin } from './routes/v1-password-login.js';
import { v1PasswordRegister } from './routes/v1-password-register.js';
import { v1PasswordResetConfirm } from './routes/v1-password-reset-confirm.js';
import { v1PasswordResetRequest } from './routes/v1-password-reset-request.js';
import { v1SamlAcsPost } from './routes/v1-saml-acs-post.js';
import { v1SamlMetadataGet } from './routes/v1-saml-metadata-get.js';
import { v1SamlSlo } from './routes/v1-saml-slo.js';
import { v1SessionsRevoke } from './routes/v1-sessions-revoke.js';
import { v1SsoCodeExchange } from './routes/v1-sso-code-exchange.js';
import { v1TokenRefresh } from './routes/v1-token-refresh.js';
import { v1UsersBlock } from './routes/v1-users-block.js';
import { v1UsersUnblock } from './routes/v1-users-unblock.js';
import { wellKnownJwksGet } from './routes/well-known-jwks-get.js';
import { buildSso, type Sso, type SsoOverrides } from './sso.js';

/** The sso's express app: SAML and OIDC per tenant, password login, platform tokens and JWKS. */
export function createApp(deps: ServiceDeps, config: SsoConfig, overrides: SsoOverrides = {}): Express {
  return createSsoApp(deps, buildSso(deps, config, overrides));
}

/** The app over an already built Sso (tests keep a handle on it). */
export function createSsoApp(deps: ServiceDeps, sso: Sso): Express {
  const config = sso.config;
  return createHttpApp({
    ...httpOptionsOf(deps),
    service: 'sso',
    rawRoutes: (app) => {
      // The SAML endpoints take form posts, parsed (with their own cap) by the routes themselves.
      const saml = express.Router();
      saml.use(
        '/v1/sso/saml',
        tenantContext({ platform: deps.platform, scheme: config.SSO_PUBLIC_SCHEME, baseDomain: config.BASE_DOMAIN, auditor: sso.auditor }),
      );
      v1SamlAcsPost(saml, sso);
      v1SamlSlo(saml, sso);
      app.use(saml);
    },
    routes: (app) => {
      wellKnownJwksGet(app, sso);
      const tenant = express.Router();
      tenant.use(
        '/v1',
        tenantContext({ platform: deps.platform, scheme: config.SSO_PUBLIC_SCHEME, baseDomain: config.BASE_DOMAIN, auditor: sso.auditor }),
      );
      v1LoginStart(tenant, sso);
      v1OidcCallback(tenant, sso);
      v1SsoCodeExchange(tenant, sso);
      v1SamlMetadataGet(tenant, sso);
      v1ConnectionsCreate(tenant, sso);
      v1ConnectionsList(tenant, sso);
      v1ConnectionsGet(tenant, sso);
      v1ConnectionsUpdate(tenant, sso);
      v1ConnectionsDelete(tenant, sso);
      v1DomainsCreate(tenant, sso);
      v1DomainsList(tenant, sso);
      v1DomainsVerify(tenant, sso);
      v1TokenRefresh(tenant, sso);
      v1LogoutCreate(tenant, sso);
      v1MeGet(tenant, sso);
      v1SessionsRevoke(tenant, sso);
      v1UsersBlock(tenant, sso);
      v1UsersUnblock(tenant, sso);
      v1PasswordRegister(tenant, sso);
      v1PasswordLogin(tenant, sso);
      v1PasswordResetRequest(tenant, sso);
      v1PasswordResetConfirm(tenant, sso);
      app.use(tenant);
    },
  });
}
