/** The closed set of failures the platform reports, and the one place their HTTP status is decided. */
export const ERROR_CODES = {
  bad_request: 400,
  malformed_json: 400,
  validation_failed: 400,
  unauthenticated: 401,
  payment_required: 402,
  forbidden: 403,
  tenant_suspended: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  misdirected_request: 421,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldProblem {
  /** Where the problem is, e.g. `spec.branding.primaryColor`. */
  path: string;
  /** The rule that failed, never the offending value when it may be secret. */
  message: string;
}

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code];
}

/** An expected failure with a stable code; everything else is a bug and becomes a 500. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: {
      errors?: readonly FieldProblem[];
      /** Extra members of the problem document (e.g. `retryAfter`, `location`). */
      extensions?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = statusOf(code);
  }
}
