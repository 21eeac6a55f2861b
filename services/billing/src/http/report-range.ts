import { AppError } from '@mindbot/errors';

/** The longest range a report covers, in UTC days. */
export const MAX_REPORT_DAYS = 366;

/**
 * The UTC days [from, to] of a report (dates already checked by the query schema), or the 400 every
 * report answers for a range it does not serve: `to` before `from`, or longer than MAX_REPORT_DAYS.
 */
export function reportRangeOf(query: { from: string; to: string }): { from: string; to: string } {
  const days = (Date.parse(query.to) - Date.parse(query.from)) / 86_400_000 + 1;
  if (days < 1 || days > MAX_REPORT_DAYS) {
    throw new AppError('validation_failed', 'The report range is invalid.', {
      errors: [{ path: 'query.to', message: `must be on or after from, at most ${MAX_REPORT_DAYS} days later` }],
    });
  }
  return { from: query.from, to: query.to };
}
