import { AppError } from '@mindbot/errors';
import type { EndpointFailure } from './webhook-endpoints.js';

/**
 * The one mapping of webhook use-case failures to problems, shared by the webhook routes. Another
 * tenant's endpoint or delivery answers exactly like a missing one.
 */
export function webhookProblem(failure: EndpointFailure, detail?: string): AppError {
  switch (failure) {
    case 'not_found':
      return new AppError('not_found', 'No such webhook endpoint or delivery.');
    case 'target_refused':
      return new AppError('validation_failed', 'The request body is invalid.', {
        errors: [{ path: 'body.url', message: detail ?? 'is not an allowed webhook target' }],
      });
    case 'endpoint_disabled':
      return new AppError('conflict', 'The endpoint is disabled: re-enable it (PATCH status active) first.');
  }
}
