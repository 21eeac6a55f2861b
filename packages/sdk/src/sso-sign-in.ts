import type { Problem } from './common-schemas.js';
import { oidcCallbackQuerySchema, samlPostSchema, ssoLoginQuerySchema } from './sso-schemas.js';
import type { z } from 'zod';

/** Whom to sign in through the tenant's identity provider: a connection id, or an email whose verified domain names one. */
export type SsoSignInTarget = { connection: string } | { email: string };

/**
 * A browser sign-in that comes back to the app: `returnTo` is a page on one of the tenant's own
 * origins; `codeChallenge` (PKCE S256) binds the code that comes back to a verifier only this browser holds.
 */
export interface SsoReturn {
  returnTo: string;
  codeChallenge?: string;
}

/** Where startSsoSignIn keeps the PKCE verifier between leaving for the IdP and coming back (sessionStorage in a browser). */
export interface VerifierStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const VERIFIER_STORAGE_KEY = 'mindbot.sso.code_verifier';

/** The SAML IdP's HTTP-POST form, as it reached the app (the ACS URL's connection, and the form fields). */
export type SamlPost = z.input<typeof samlPostSchema>;

const OIDC_CALLBACK = /^\/v1\/sso\/oidc\/([^/]+)\/callback$/;
const SAML_ACS = /^\/v1\/sso\/saml\/([^/]+)\/acs$/;

/**
 * The URL that starts a SAML or OIDC sign-in at the tenant (`GET /v1/sso/login`): SSO answers with a
 * redirect to the IdP, which comes back to SSO's OIDC callback or SAML ACS on the same origin.
 */
export function ssoSignInUrl(baseUrl: string, target: SsoSignInTarget, back?: SsoReturn): string {
  const query = ssoLoginQuerySchema.parse({
    ...target,
    ...(back ? { returnTo: back.returnTo } : {}),
    ...(back?.codeChallenge === undefined ? {} : { code_challenge: back.codeChallenge, code_challenge_method: 'S256' }),
  });
  const url = new URL('/v1/sso/login', baseUrl);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  return url.href;
}

/** A fresh PKCE verifier (32 random bytes, base64url) and its S256 challenge, with Web Crypto (browsers, Node 20+). */
export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return { verifier, challenge: base64url(new Uint8Array(digest)) };
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The one-time code SSO put in the fragment of the returnTo redirect (`…#code=…`). Throws when the
 * location carries none (a page load that was not a sign-in return), before anything is sent.
 */
export function ssoRedirectCode(location: string | URL | { href: string }): string {
  const href = typeof location === 'string' ? location : location.href;
  const url = new URL(href);
  const code = new URLSearchParams(url.hash.replace(/^#/, '')).get('code');
  if (!code) throw new TypeError('Not a sign-in return: the URL fragment has no code.');
  return code;
}

/**
 * The HTTP status of each code a refused sign-in can come back with, as SSO's problem answers carry
 * it: the fragment names the code only, and an app should not have to tell a 403 from a 503 by name.
 */
const REFUSAL_STATUS: Readonly<Record<string, number>> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unavailable: 503,
};

/**
 * The refusal SSO put in the fragment of the returnTo redirect (`…#error=<code>&error_description=…`)
 * when the sign-in failed at or after the IdP, as the problem document the same refusal answers
 * without returnTo; undefined when the location carries no error. A code this SDK does not know yet
 * keeps its name, with status 400.
 */
export function ssoRedirectError(location: string | URL | { href: string }): Problem | undefined {
  const href = typeof location === 'string' ? location : location.href;
  const fragment = new URLSearchParams(new URL(href).hash.replace(/^#/, ''));
  const code = fragment.get('error');
  if (!code) return undefined;
  const detail = fragment.get('error_description') ?? 'The sign-in could not be completed.';
  const status = REFUSAL_STATUS[code] ?? 400;
  return { type: `https://docs.mindbot.ai/problems/${code.replaceAll('_', '-')}`, title: 'The sign-in was refused', status, detail, code };
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
