/** A cell of a CSV answer: quoted when it must be (RFC 4180), and a text cell that a spreadsheet would run as a formula is defused. */
function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Rows as CSV with a header row of the column names, CRLF line ends (RFC 4180). */
export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c] as string | number | boolean | null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
