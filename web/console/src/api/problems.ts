import { MindBotApiError } from '@mindbot/sdk';
import type { Translate } from '../i18n/index.js';

/** What to tell the admin about a refusal: the API's own words, its status, and what each field got wrong. */
export function problemMessage(error: unknown, t: Translate): string {
  if (error instanceof MindBotApiError) {
    // An endpoint this deployment does not serve yet (the gateway's answer for unknown routes).
    if (error.status === 404 && /^No route for /.test(error.problem.detail)) return t('notAvailable', { status: error.status });
    const fieldErrors = error.problem.errors?.map((e) => `${fieldOf(e.path)}: ${e.message}`).join('; ');
    const message = [error.problem.detail || error.problem.title, fieldErrors].filter(Boolean).join(' ');
    return t('apiRefused', { status: error.status, message });
  }
  return t('genericError');
}

/** `body.priceCents` → `priceCents`: the form field a problem's error names. */
export function fieldOf(path: string): string {
  return path.replace(/^(body|query|params)\./, '');
}

/** The API's per-field messages, by field name. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof MindBotApiError)) return {};
  return Object.fromEntries((error.problem.errors ?? []).map((e) => [fieldOf(e.path), e.message]));
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof MindBotApiError && error.status === status;
}
