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
