import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Express 5 forwards rejected promises to the error handler by itself; this wrapper only gives
 * handlers a return type of Promise<void> so the lint rule against floating promises stays useful.
 */
export function asyncRoute(handler: (req: Request, res: Response, next: NextFunction) => Promise<void>): RequestHandler {
  return (req, res, next) => handler(req, res, next);
}
