/** Numbers, money, durations and dates as the console shows them (the browser's locale). */

export function money(cents: number, currency: string): string {
  const code = currency.toUpperCase();
  const digits = ZERO_DECIMAL.has(code) ? 0 : 2;
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: code, minimumFractionDigits: digits }).format(
    digits === 0 ? cents : cents / 100,
  );
}

/** Currencies whose minor unit is the unit (Stripe's zero-decimal currencies among the platform's). */
const ZERO_DECIMAL = new Set(['JPY']);

export function minorUnitsPerUnit(currency: string): number {
  return ZERO_DECIMAL.has(currency.toUpperCase()) ? 1 : 100;
}

export function minutes(seconds: number): string {
  const value = seconds / 60;
  return new Intl.NumberFormat(undefined, { maximumFractionDigits: Number.isInteger(value) ? 0 : 1 }).format(value);
}

export function count(value: number): string {
  return new Intl.NumberFormat().format(value);
}

export function dateTime(iso: string | null | undefined, never: string): string {
  if (!iso) return never;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function day(iso: string): string {
  const date = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime())
    ? iso
    : new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(date);
}

/** `YYYY-MM-DD` of a date in UTC (the reports' days). */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
