import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { SsoDeps } from '../deps.js';
import { refuseLogin } from './refuse-login.js';
import { tenantOf } from './tenant-context.js';

/**
 * The form body of a SAML POST, capped; an oversized or broken body is refused and audited like any
 * bad login (the error handler sits in the route's own stack, so it sees only this parser's errors).
 */
export function samlFormBody(sso: SsoDeps): [RequestHandler, ErrorRequestHandler] {
  const parse = express.urlencoded({ extended: false, limit: Math.ceil(sso.config.SSO_SAML_MAX_BYTES * 1.4) + 4096, parameterLimit: 10 });
  const refused: ErrorRequestHandler = (error: unknown, req, res, next) => {
    const tooLarge = typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.too.large';
    refuseLogin(sso.auditor, req, tenantOf(res).slug, {
      reason: tooLarge ? 'xml_too_large' : 'body_malformed',
      status: tooLarge ? 'payload_too_large' : 'bad_request',
    }).catch(next);
  };
  return [parse, refused];
}
