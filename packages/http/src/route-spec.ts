import type { Router } from 'express';
import type { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One documented operation: mounted from here and described in /openapi.json from the same schemas. */
export interface RouteSpec {
  method: HttpMethod;
  /** express path (`/v1/api-keys/:id`); OpenAPI gets `{id}`. */
  path: string;
  operationId: string;
  summary: string;
  /**
   * public: no credential needed; user: a signed-in user; admin: owner/admin; user-or-key: a user or an API key with `permission`;
   * signature: a signed webhook; service: a platform service's token or an agent's job token (internal routes, never public).
   */
  auth: 'public' | 'user' | 'admin' | 'user-or-key' | 'signature' | 'service';
  permission?: string;
  body?: z.ZodType;
  /** How the body is sent; JSON unless a route takes a form post (the SAML bindings). */
  bodyMediaType?: 'application/json' | 'application/x-www-form-urlencoded';
  query?: z.ZodObject;
  responses: Partial<Record<number, RouteResponse>>;
  /** Served by another service through the gateway's proxy. */
  upstream?: 'billing' | 'sso';
}

export interface RouteResponse {
  description: string;
  schema?: z.ZodType;
  /** Only for answers that are not JSON (SAML metadata, CSV reports); a schema-less body is described by this type alone. */
  mediaType?: string;
  /** Other media types the same answer can take, without a JSON schema (a report as CSV). */
  alsoMediaTypes?: readonly string[];
}

/**
 * One route of any service: its description (from which the OpenAPI document is built) and how it
 * is mounted. `Ctx` is the service's own route context (`http/route-context.ts`).
 */
export interface Route<Ctx> {
  spec: RouteSpec;
  mount(router: Router, ctx: Ctx): void;
}
