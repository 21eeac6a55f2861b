import { Envelope } from '@mindbot/envelope';
import { createTokenVerifier, type TokenVerifier } from '@mindbot/auth';
import { createMailer, type Mailer } from '@mindbot/mailer';
import type { RateLimiter } from '@mindbot/rate-limit';
import type { ServiceDeps } from '@mindbot/service-runtime';
import type { SsoConfig } from './config.js';
import { ConnectionRepository } from './data/connection-repository.js';
import { memoryEphemeralStore, redisEphemeralStore, type EphemeralStore } from './data/ephemeral-store.js';
import { Auditor } from './domain/audit.js';
import { CodeExchange } from './domain/code-exchange.js';
import { ConnectionAdmin } from './domain/connections.js';
import { DomainVerification } from './domain/domain-verification.js';
import { IdpSignIn } from './domain/idp-sign-in.js';
import { Invitations } from './domain/invitations.js';
import { ResellerHandoff } from './domain/reseller-handoff.js';
import { ResellerLinks, resellerGrantHolds } from './domain/reseller-links.js';
import { Logout } from './domain/logout.js';
import { OidcLogin } from './domain/oidc-login.js';
import { PasswordLogin, RESET_TTL_MINUTES, type PasswordResetMailer } from './domain/passwords.js';
import { SessionRevocations } from './domain/session-revocations.js';
import { SignInCodes } from './domain/sign-in-codes.js';
import { passwordResetMail } from './domain/tenant-mail.js';
import { SigningKeys } from './domain/signing-keys.js';
import { TokenService } from './domain/token-service.js';
import { PersonalData } from './domain/personal-data.js';
import { UserAdmin } from './domain/user-admin.js';
import { createLoginLimiter } from './http/login-rate-limit.js';
import { SamlPassport } from './http/saml-passport.js';

/** SSO's composition root: everything its routes use, built once from the service's dependencies and its config. */
export interface SsoDeps {
  config: SsoConfig;
  deps: ServiceDeps;
  keys: SigningKeys;
  store: EphemeralStore;
  auditor: Auditor;
  /** Announces ended sessions on the revocation list, so every service refuses their tokens at once. */
  revocations: SessionRevocations;
  tokens: TokenService;
  verifier: TokenVerifier;
  connections: ConnectionRepository;
  connectionAdmin: ConnectionAdmin;
  domains: DomainVerification;
  oidc: OidcLogin;
  saml: SamlPassport;
  passwords: PasswordLogin;
  codes: SignInCodes;
  /** Redeems a returnTo redirect's one-time code for a session. */
  codeExchange: CodeExchange;
  /** Completes a verified IdP sign-in: the user, found or created just in time, and its tokens or code. */
  idpSignIn: IdpSignIn;
  logout: Logout;
  users: UserAdmin;
  /** GDPR: a user's data export and erasure (ADR 0059). */
  personalData: PersonalData;
  invitations: Invitations;
  /** A reseller's admins open the consoles of the tenants it sells to. */
  resellerHandoff: ResellerHandoff;
  /** Takes back a reseller's access to a tenant when the tenant's parentReseller changes. */
  resellerLinks: ResellerLinks;
  /** The tenant's mail (invitations, password resets): SMTP, or the log when SMTP_URL is unset. */
  mailer: Mailer;
  /** Credentials the platform presents on /internal routes. */
  serviceTokens: readonly string[];
  /** Sign-in attempts per client IP and per tenant. */
  loginLimiter: RateLimiter;
}

export interface SsoDepsOverrides {
  /** Where password-reset tokens go; the default mails the link through `mail`. */
  mailer?: PasswordResetMailer;
  /** Where the tenant's mail goes; the default is SMTP_URL's server, or the log. */
  mail?: Mailer;
  /** The clock sign-in codes age by (tests move it forward instead of waiting). */
  now?: () => number;
}

export function buildSsoDeps(deps: ServiceDeps, config: SsoConfig, overrides: SsoDepsOverrides = {}): SsoDeps {
  const keys = SigningKeys.load({
    keys: config.SSO_SIGNING_KEYS.keys,
    signingKid: config.SSO_SIGNING_KID,
    issuer: config.SSO_ISSUER,
    audience: config.SSO_AUDIENCE,
  });
  const store = deps.redis ? redisEphemeralStore(deps.redis) : memoryEphemeralStore();
  const auditor = new Auditor(deps.tenants, deps.logger);
  const revocations = new SessionRevocations(deps.redis, deps.revokedSessions, deps.logger, config.SSO_ACCESS_TOKEN_TTL_SECONDS);
  const tokens = new TokenService(
    deps.tenants,
    keys,
    {
      accessTokenTtlSeconds: config.SSO_ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: config.SSO_REFRESH_TOKEN_TTL_SECONDS,
      sessionTtlSeconds: config.SSO_SESSION_TTL_SECONDS,
    },
    auditor,
    revocations,
    (tx, tenant, userId) => resellerGrantHolds(deps.platform, tx, tenant, userId),
  );
  const resellerLinks = new ResellerLinks(deps.platform, deps.tenants, tokens, auditor, deps.logger);
  resellerLinks.follow(deps.notifications);
  const connections = new ConnectionRepository(new Envelope(config.SSO_SECRET_KEYS));
  const codes = new SignInCodes(store, overrides.now ?? Date.now);
  const mail =
    overrides.mail ??
    createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, logContent: config.NODE_ENV !== 'production' }, deps.logger);
  const mailer: PasswordResetMailer = overrides.mailer ?? {
    send: async (tenant, email, token) => mail.send(await passwordResetMail(tenant, email, token, RESET_TTL_MINUTES)),
  };
  return {
    config,
    deps,
    keys,
    store,
    auditor,
    revocations,
    tokens,
    verifier: createTokenVerifier({
      jwks: keys.jwks,
      issuer: config.SSO_ISSUER,
      audience: config.SSO_AUDIENCE,
      revokedSessions: deps.revokedSessions,
    }),
    connections,
    connectionAdmin: new ConnectionAdmin(deps.tenants, connections, auditor, {
      allowInsecureUrls: config.SSO_ALLOW_INSECURE_IDP_URLS,
      maxXmlBytes: config.SSO_SAML_MAX_BYTES,
    }),
    domains: new DomainVerification(deps.tenants, auditor, config.SSO_DNS_SERVERS),
    oidc: new OidcLogin(store, {
      allowInsecureRequests: config.SSO_ALLOW_INSECURE_IDP_URLS,
      clockSkewSeconds: config.SSO_CLOCK_SKEW_SECONDS,
    }),
    saml: new SamlPassport(),
    codes,
    loginLimiter: createLoginLimiter(deps, config),
    passwords: new PasswordLogin(deps.tenants, tokens, mailer, auditor, {
      maxFailures: config.SSO_PASSWORD_MAX_FAILURES,
      lockoutSeconds: config.SSO_PASSWORD_LOCKOUT_SECONDS,
    }),
    codeExchange: new CodeExchange(deps.tenants, codes, tokens, auditor),
    idpSignIn: new IdpSignIn(deps.tenants, tokens, codes, auditor),
    logout: new Logout(deps.tenants, tokens, connections, store, config.SSO_CLOCK_SKEW_SECONDS, auditor),
    users: new UserAdmin(deps.tenants, tokens, auditor),
    personalData: new PersonalData(deps.tenants, tokens, auditor, deps.redis, deps.logger),
    invitations: new Invitations(deps.tenants, tokens, mail, auditor, deps.logger, overrides.now),
    resellerHandoff: new ResellerHandoff(deps.platform, deps.tenants, codes, auditor, deps.region),
    resellerLinks,
    mailer: mail,
    serviceTokens: config.SSO_SERVICE_TOKENS,
  };
}
