import type { z } from 'zod';
import { AppError, type FieldProblem } from './app-error.js';
import { characterProblems } from './input-characters.js';

export function zodProblems(error: z.ZodError, prefix?: string): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== undefined && p !== '').join('.');
    return { path: path || '(root)', message: issue.message };
  });
}

/**
 * Validates untrusted input at the edge; a failure is a 400 listing every field and rule. Control
 * characters (but tab, line feed, carriage return) and unpaired surrogates are refused in every
 * string and field name, whatever the schema says: no field means them, and Postgres refuses them.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.output<S> {
  const characters = characterProblems(value, where);
  const result = schema.safeParse(value);
  if (result.success && characters.length === 0) return result.data;
  throw new AppError('validation_failed', `The request ${where} is invalid.`, {
    errors: [...characters, ...(result.success ? [] : zodProblems(result.error, where))],
  });
}
