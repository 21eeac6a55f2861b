import {
  balanceSchema,
  packageListSchema,
  passwordLoginRequestSchema,
  problemSchema,
  purchaseCreateRequestSchema,
  purchaseSchema,
  refreshRequestSchema,
  timeCardActivateRequestSchema,
  tokenResponseSchema,
} from '@mindbot/sdk/schemas';
import type { RouteSpec } from '../http/route-spec.js';

/**
 * Path prefixes served by billing and SSO through the gateway. Tenant prefixes pass tenant
 * resolution, CORS, authentication and rate limits first; billing's need a signed-in user (so a
 * forged token never reaches billing). `/internal/…` is never served from outside.
 */
export const PROXIED_PREFIXES = {
  billing: {
    user: ['/v1/balance', '/v1/history', '/v1/packages', '/v1/purchases', '/v1/sessions', '/v1/time-cards', '/v1/admin/packages', '/v1/admin/billing', '/v1/admin/reports'],
    /** Called by Stripe at the platform host; billing checks the signature. */
    open: ['/v1/webhooks/stripe'],
  },
  sso: {
    user: ['/v1/auth', '/v1/sso', '/v1/users'],
    open: ['/.well-known/jwks.json'],
  },
} as const;

const problem = (description: string) => ({ description, schema: problemSchema });

/** The upstream operations front ends use, documented in /openapi.json (and called by the SDK). */
export const PROXIED_ROUTE_SPECS: readonly RouteSpec[] = [
  {
    method: 'get',
    path: '/v1/balance',
    operationId: 'getBalance',
    summary: 'Seconds available, held by running sessions, and the lots with their expiries.',
    auth: 'user',
    upstream: 'billing',
    responses: { 200: { description: 'The balance', schema: balanceSchema }, 401: problem('Not signed in') },
  },
  {
    method: 'get',
    path: '/v1/packages',
    operationId: 'listPackages',
    summary: 'The time-card packages on sale.',
    auth: 'user',
    upstream: 'billing',
    responses: { 200: { description: 'The packages', schema: packageListSchema }, 401: problem('Not signed in') },
  },
  {
    method: 'post',
    path: '/v1/purchases',
    operationId: 'createPurchase',
    summary: 'Buy a package: answers the Checkout URL.',
    auth: 'user',
    upstream: 'billing',
    body: purchaseCreateRequestSchema,
    responses: { 201: { description: 'The purchase', schema: purchaseSchema }, 401: problem('Not signed in'), 404: problem('No such package') },
  },
  {
    method: 'post',
    path: '/v1/time-cards/activate',
    operationId: 'activateTimeCard',
    summary: 'Activate a time card with its code.',
    auth: 'user',
    upstream: 'billing',
    body: timeCardActivateRequestSchema,
    responses: { 200: { description: 'Activated' }, 401: problem('Not signed in'), 404: problem('Unknown code') },
  },
  {
    method: 'post',
    path: '/v1/auth/password/login',
    operationId: 'passwordLogin',
    summary: 'Sign in with email and password.',
    auth: 'public',
    upstream: 'sso',
    body: passwordLoginRequestSchema,
    responses: { 200: { description: 'Tokens', schema: tokenResponseSchema }, 401: problem('Wrong email or password') },
  },
  {
    method: 'post',
    path: '/v1/auth/token',
    operationId: 'refreshToken',
    summary: 'Rotate a refresh token for new tokens.',
    auth: 'public',
    upstream: 'sso',
    body: refreshRequestSchema,
    responses: { 200: { description: 'Tokens', schema: tokenResponseSchema }, 401: problem('Invalid refresh token') },
  },
  {
    method: 'post',
    path: '/v1/auth/logout',
    operationId: 'logout',
    summary: 'End the session.',
    auth: 'user',
    upstream: 'sso',
    responses: { 204: { description: 'Signed out' }, 401: problem('Not signed in') },
  },
];
