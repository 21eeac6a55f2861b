import type { ErrorRequestHandler } from 'express';
import { RefusedSignIn } from './refuse-login.js';

/**
 * Error handler of the routes where an IdP's answer arrives (OIDC callback, SAML ACS): a refused
 * browser sign-in that was started with returnTo goes back to the app with `#error=<code>&
 * error_description=<text>` in the fragment, the code and text of the problem answer and nothing
 * more (the reason stays in the audit log). Every other error goes on to the problem answer.
 */
export const refusedSignInRedirect: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (!(error instanceof RefusedSignIn) || res.headersSent) {
    next(error);
    return;
  }
  const location = new URL(error.returnTo);
  location.hash = new URLSearchParams({ error: error.code, error_description: error.message }).toString();
  // As for the code: nothing of this URL is to be passed on by the page, nor cached.
  res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(303, location.href);
};
