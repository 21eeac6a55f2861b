import { oidcCallbackQuerySchema, samlPostSchema, ssoLoginQuerySchema } from './sso-schemas.js';
import type { z } from 'zod';

/** Whom to sign in through the tenant's identity provider: a connection id, or an email whose verified domain names one. */
export type SsoSignInTarget = { connection: string } | { email: string };

/** The SAML IdP's HTTP-POST form, as it reached the app (the ACS URL's connection, and the form fields). */
export type SamlPost = z.input<typeof samlPostSchema>;

const OIDC_CALLBACK = /^\/v1\/sso\/oidc\/([^/]+)\/callback$/;
const SAML_ACS = /^\/v1\/sso\/saml\/([^/]+)\/acs$/;

/**
 * The URL that starts a SAML or OIDC sign-in at the tenant (`GET /v1/sso/login`): SSO answers with a
 * redirect to the IdP, which comes back to SSO's OIDC callback or SAML ACS on the same origin.
 */
export function ssoSignInUrl(baseUrl: string, target: SsoSignInTarget): string {
  const query = ssoLoginQuerySchema.parse(target);
  const url = new URL('/v1/sso/login', baseUrl);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.href;
}

/**
 * The path and query to send to the tenant for the IdP's OIDC redirect back. Only the path and query
 * are kept: the code is redeemed at the client's own tenant, whatever origin the redirect named
 * (a proxy's port, a deep link), and nothing but an OIDC callback with a state is accepted.
 */
export function oidcCallbackPath(redirectUrl: string | URL): string {
  const url = new URL(redirectUrl);
  const connection = OIDC_CALLBACK.exec(url.pathname)?.[1];
  if (!connection) throw new TypeError('Not an OIDC sign-in callback: the path must be /v1/sso/oidc/<connection>/callback.');
  const query = oidcCallbackQuerySchema.safeParse(Object.fromEntries(url.searchParams));
  if (!query.success) throw new TypeError('Not an OIDC sign-in callback: the state is missing.');
  return `${url.pathname}${url.search}`;
}

/** The ACS path of a SAML connection, from its id or its ACS URL. */
export function samlAcsPath(connectionOrAcsUrl: string): string {
  if (!connectionOrAcsUrl.includes('/')) return `/v1/sso/saml/${encodeURIComponent(connectionOrAcsUrl)}/acs`;
  const path = new URL(connectionOrAcsUrl, 'http://placeholder').pathname;
  if (!SAML_ACS.test(path)) throw new TypeError('Not a SAML ACS URL: the path must be /v1/sso/saml/<connection>/acs.');
  return path;
}

/** The form body to post to the ACS, validated with SSO's own schema. */
export function samlPostBody(post: SamlPost): URLSearchParams {
  const form = samlPostSchema.parse(post);
  const body = new URLSearchParams({ SAMLResponse: form.SAMLResponse });
  if (form.RelayState !== undefined) body.set('RelayState', form.RelayState);
  return body;
}
