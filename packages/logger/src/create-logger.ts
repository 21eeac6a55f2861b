import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Keys whose values never reach a log line, at the top level and one level down.
 * Personal data is logged under `pii` so that it is removed the same way.
 */
export const REDACTED_KEYS = [
  'password',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'apiKey',
  'secret',
  'clientSecret',
  'privateKey',
  'activationCode',
  'code',
  'card',
  'authorization',
  'cookie',
  'pii',
  // Personal data under its usual names, so a log line never keeps what an erasure removes (ADR 0059).
  'email',
  'displayName',
] as const;

const SECRET_HEADERS = ['authorization', 'cookie', 'x-api-key', 'stripe-signature'] as const;

function redactPaths(): string[] {
  return [
    ...REDACTED_KEYS.flatMap((key) => [key, `*.${key}`]),
    ...SECRET_HEADERS.map((header) => `req.headers["${header}"]`),
    'res.headers["set-cookie"]',
  ];
}

export interface LoggerOptions {
  /** The process or component, e.g. `gateway`. */
  name: string;
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

/** One JSON line per event; fixed messages, variable data in fields, secrets replaced by `[redacted]`. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: { service: options.name, ...options.base },
      redact: { paths: redactPaths(), censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
