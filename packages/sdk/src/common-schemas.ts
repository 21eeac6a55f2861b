import { z } from 'zod';

/** A timestamp as the API sends it (JSON has no date type). */
export const isoDate = z.string().meta({ format: 'date-time' });

/** RFC 9457 problem document, as every error is answered. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Problem' });

export type Problem = z.output<typeof problemSchema>;

/** `T` as a service may build it before `res.json`: a Date may stand wherever a string is sent (JSON carries its ISO form). */
// A loose schema's index signature is dropped: it admits extra fields, and a service's own interface has none to declare.
export type WithDates<T> = T extends string
  ? T | Date
  : T extends readonly (infer U)[]
    ? WithDates<U>[]
    : T extends object
      ? { [K in keyof T as string extends K ? never : K]: WithDates<T[K]> }
      : T;

/**
 * What a route may answer for a documented response schema: `res.json(body satisfies JsonAnswer<typeof schema>)`
 * ties the service's answer to the schema the gateway publishes and the client parses with.
 */
export type JsonAnswer<S extends z.ZodType> = WithDates<z.input<S>>;
