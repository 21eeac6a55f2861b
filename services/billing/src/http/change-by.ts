import type { Request, Response } from 'express';
import { principalOf } from '@mindbot/auth';
import type { CatalogueChange } from '../domain/packages.js';

/** The signed-in admin behind a change, and the request, as the tenant's audit log records them. */
export function changeBy(req: Request, res: Response): CatalogueChange {
  return { actorId: principalOf(res).userId, requestId: typeof req.id === 'string' ? req.id : undefined };
}
