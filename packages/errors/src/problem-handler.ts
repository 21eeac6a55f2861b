import type {} from 'pino-http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, type ErrorCode, type FieldProblem } from './app-error.js';

/** RFC 9457 problem details, as sent to clients. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  errors?: readonly FieldProblem[];
  [extension: string]: unknown;
}

const TITLES: Record<ErrorCode, string> = {
  bad_request: 'Bad request',
  malformed_json: 'Malformed JSON',
  validation_failed: 'Validation failed',
  unauthenticated: 'Authentication required',
  payment_required: 'Payment required',
  forbidden: 'Forbidden',
  tenant_suspended: 'Tenant suspended',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  gone: 'Gone',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  misdirected_request: 'Wrong region',
  unprocessable: 'Unprocessable request',
  rate_limited: 'Too many requests',
  internal: 'Internal server error',
  unavailable: 'Service unavailable',
};

/** body-parser's failures carry a `type`; each becomes a client error, not a 500. */
const BODY_PARSER_ERRORS: Record<string, { code: ErrorCode; detail: string }> = {
  'entity.parse.failed': { code: 'malformed_json', detail: 'The request body is not valid JSON.' },
  'entity.too.large': { code: 'payload_too_large', detail: 'The request body is larger than this endpoint accepts.' },
  'encoding.unsupported': { code: 'unsupported_media_type', detail: 'The request body encoding is not supported.' },
  'charset.unsupported': { code: 'unsupported_media_type', detail: 'The request body charset is not supported.' },
  'request.aborted': { code: 'bad_request', detail: 'The request was aborted by the client.' },
  'request.size.invalid': { code: 'bad_request', detail: 'The request body size does not match its Content-Length.' },
  'stream.encoding.set': { code: 'internal', detail: 'An unexpected error occurred.' },
};

function bodyParserError(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  const known = typeof error.type === 'string' ? BODY_PARSER_ERRORS[error.type] : undefined;
  return known ? new AppError(known.code, known.detail, { cause: error }) : undefined;
}

export function toProblem(error: AppError, requestId?: string, instance?: string): Problem {
  return {
    ...error.options.extensions,
    type: `https://docs.mindbot.ai/problems/${error.code.replaceAll('_', '-')}`,
    title: TITLES[error.code],
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(instance === undefined ? {} : { instance }),
    ...(requestId === undefined ? {} : { requestId }),
    ...(error.options.errors === undefined ? {} : { errors: error.options.errors }),
  };
}

/** Unknown routes answer a problem, not express's HTML page. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `No route for ${req.method} ${req.path}.`));
};

/** The one place errors become responses: expected ones as they are, others as an opaque 500 that is logged. */
export const problemHandler: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const appError =
    error instanceof AppError
      ? error
      : (bodyParserError(error) ?? new AppError('internal', 'An unexpected error occurred.', { cause: error }));
  const log = req.log;
  if (appError.status >= 500) {
    log.error({ err: error }, 'request failed');
  } else {
    log.info({ problemCode: appError.code, status: appError.status }, 'request refused');
  }
  const requestId = typeof req.id === 'string' ? req.id : undefined;
  for (const [name, value] of Object.entries(appError.options.headers ?? {})) res.setHeader(name, value);
  res
    .status(appError.status)
    .type('application/problem+json')
    .send(JSON.stringify(toProblem(appError, requestId, req.path)));
};
