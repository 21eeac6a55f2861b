/** Quotes a Postgres identifier (schema, role) for the few statements that cannot take parameters. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.length > 63 || name.includes('\0')) throw new Error(`Invalid identifier: ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}
