import type { Response } from 'express';
import { AppError } from '@mindbot/errors';

export interface ResponseLocal<T> {
  set(res: Response, value: T): void;
  /** The value, or the slot's error when no middleware set it (a route mounted without its guard). */
  get(res: Response): T;
  find(res: Response): T | undefined;
}

/**
 * A typed slot in `res.locals` that a middleware fills for the routes after it (the tenant, the
 * principal): one name and one type for the writer and every reader.
 */
export function responseLocal<T>(
  name: string,
  whenMissing: () => AppError = () => new AppError('internal', `The ${name} was not resolved for this route.`),
): ResponseLocal<T> {
  const find = (res: Response) => res.locals[name] as T | undefined;
  return {
    set(res, value) {
      res.locals[name] = value;
    },
    get(res) {
      const value = find(res);
      if (value === undefined) throw whenMissing();
      return value;
    },
    find,
  };
}
