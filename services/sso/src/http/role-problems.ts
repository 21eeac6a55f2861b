import { AppError } from '@mindbot/errors';

/** A 422 naming each role the tenant does not have (`detail`: the names, comma-separated). */
export function unknownRolesProblem(detail: string | undefined): AppError {
  const names = (detail ?? '').split(', ').filter(Boolean);
  return new AppError('unprocessable', `The tenant has no role named ${names.join(', ')}.`, {
    errors: names.map((name) => ({ path: 'body.roles', message: `no role named ${name}` })),
  });
}
