/** Use cases return expected failures as values; routes turn them into problem responses. */
export type Result<T, F extends string> = { ok: true; value: T } | { ok: false; failure: F; detail?: string };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <F extends string>(failure: F, detail?: string): { ok: false; failure: F; detail?: string } =>
  detail === undefined ? { ok: false, failure } : { ok: false, failure, detail };
