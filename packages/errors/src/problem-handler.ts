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

/** The status of an error express's own parts raise for a bad request, as a code of ours. */
const CLIENT_STATUSES: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

function statusOfError(error: object): number | undefined {
  const status = 'status' in error ? error.status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** zlib's failures (gzip, deflate, brotli) carry a numeric `errno` and a string `code`. */
function isDecompressionError(error: object): boolean {
  return 'errno' in error && typeof error.errno === 'number' && 'code' in error && typeof error.code === 'string';
}

/**
 * What the HTTP layer (body-parser, raw-body, the router) refuses is the client's fault: a known
 * body-parser `type`; a body that does not decompress as its Content-Encoding says (body-parser
 * passes zlib's error on as an http-errors 400, `expose`d, without a type); a path parameter that
 * is not valid percent-encoding (the router's URIError with status 400); any other `expose`d 4xx of
 * http-errors. Everything else stays a 500.
 */
function httpLayerError(error: unknown): AppError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const known = 'type' in error && typeof error.type === 'string' ? BODY_PARSER_ERRORS[error.type] : undefined;
  if (known) return new AppError(known.code, known.detail, { cause: error });
  const status = statusOfError(error);
  if (status === undefined) return undefined;
  if (error instanceof URIError) return new AppError('bad_request', 'The request path is not valid percent-encoding.', { cause: error });
  if (!('expose' in error) || error.expose !== true) return undefined;
  if (status === 400 && isDecompressionError(error)) {
    return new AppError('bad_request', 'The request body is not encoded as its Content-Encoding says.', { cause: error });
  }
  return new AppError(CLIENT_STATUSES[status] ?? 'bad_request', 'The request could not be read.', { cause: error });
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
      : (httpLayerError(error) ?? new AppError('internal', 'An unexpected error occurred.', { cause: error }));
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
