import { AppError } from '@mindbot/errors';
import type { ErasureFailure } from '../domain/personal-data.js';

/** The problem an erasure refused for answers (both erasure routes). */
export function erasureProblem(failure: ErasureFailure): AppError {
  switch (failure) {
    case 'not_found':
      return new AppError('not_found', 'No such user.');
    case 'self':
      return new AppError('unprocessable', 'To erase yourself, use DELETE /v1/me.');
    case 'owner_only':
      return new AppError('forbidden', 'Only an owner may erase an owner.');
    case 'last_owner':
      return new AppError('conflict', 'The last owner cannot be erased: make someone else an owner first.');
    case 'unconfirmed':
      return new AppError('unprocessable', 'The confirmation does not match: nothing was erased.');
  }
}
