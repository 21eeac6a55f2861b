import type { Branding } from '@mindbot/sdk';

/**
 * GET /v1/branding for the loader, without the SDK's zod schemas (the loader stays small): a
 * minimal shape check here, the app validates the whole answer with the SDK's schema.
 * Answers `refused` when the page's origin may not embed the tenant (CORS failure or 403).
 */
export async function loadBranding(
  apiOrigin: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ ok: true; branding: Branding; raw: unknown } | { ok: false; refused: boolean; status?: number }> {
  let response: Response;
  try {
    response = await fetchImpl(`${apiOrigin}/v1/branding`, { credentials: 'omit', headers: { accept: 'application/json' } });
  } catch {
    // A CORS refusal surfaces as a network error: the browser hides the answer from this origin.
    return { ok: false, refused: true };
  }
  if (response.status === 403) return { ok: false, refused: true, status: 403 };
  if (!response.ok) return { ok: false, refused: false, status: response.status };
  const raw: unknown = await response.json();
  return isBranding(raw) ? { ok: true, branding: raw, raw } : { ok: false, refused: false, status: response.status };
}

export function isBranding(value: unknown): value is Branding {
  if (typeof value !== 'object' || value === null) return false;
  const fields = ['tenant', 'displayName', 'logoUrl', 'primaryColor', 'accentColor', 'language'] as const;
  return fields.every((field) => field in value && typeof (value as Record<string, unknown>)[field] === 'string');
}
