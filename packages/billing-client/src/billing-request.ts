import { z } from 'zod';
import { BillingError, BillingUnreachableError } from './billing-error.js';

export interface BillingRequest {
  method: 'GET' | 'POST';
  url: URL;
  /** The caller's credential: the gateway's service token or one session's job token. */
  token: string;
  body?: object;
  headers?: Record<string, string>;
  timeoutMs: number;
}

export interface BillingAnswer {
  status: number;
  /** The parsed JSON body; undefined when there is none or it is not JSON. */
  body: unknown;
}

/** One call to billing: its answer whatever the status, or a BillingUnreachableError. */
export async function requestBilling(request: BillingRequest): Promise<BillingAnswer> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: {
        ...request.headers,
        authorization: `Bearer ${request.token}`,
        ...(request.body ? { 'content-type': 'application/json' } : {}),
      },
      ...(request.body ? { body: JSON.stringify(request.body) } : {}),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await response.text();
    return { status: response.status, body: text ? parseJson(text) : undefined };
  } catch (error) {
    throw new BillingUnreachableError({ cause: error });
  }
}

/** A success answer parsed with billing's own schema; any other answer as a BillingError. */
export function answerOf<S extends z.ZodType>(answer: BillingAnswer, schema: S): z.output<S> {
  if (answer.status < 200 || answer.status > 299) throw errorOf(answer);
  return schema.parse(answer.body);
}

/** The problem's code and detail, whatever else billing put in it. */
const problemFields = z.object({ code: z.string().optional().catch(undefined), detail: z.string().optional().catch(undefined) });

function errorOf(answer: BillingAnswer): BillingError {
  const problem = problemFields.safeParse(answer.body);
  return new BillingError(answer.status, problem.data?.code, problem.data?.detail);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
