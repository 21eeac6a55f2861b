import type { FieldValues, Path, UseFormSetError } from 'react-hook-form';
import { fieldErrors } from '../api/problems.js';

/** Puts the API's per-field messages (`errors[].path` = `body.<field>`) on the form's fields of those names. */
export function fieldErrorsInto<T extends FieldValues>(setError: UseFormSetError<T>, error: unknown, fields: readonly Path<T>[]): void {
  const byField = fieldErrors(error);
  for (const field of fields) {
    const message = byField[field];
    if (message !== undefined) setError(field, { type: 'server', message });
  }
}
