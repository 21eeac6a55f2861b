import type { z } from 'zod';
import { AppError, type FieldProblem } from './app-error.js';

export function zodProblems(error: z.ZodError, prefix?: string): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== undefined && p !== '').join('.');
    return { path: path || '(root)', message: issue.message };
  });
}

/** Validates untrusted input at the edge; a failure is a 400 listing every field and rule. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params' = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('validation_failed', `The request ${where} is invalid.`, {
    errors: zodProblems(result.error, where),
  });
}
