/** Header text with no line breaks or other control characters, so no value can add a header of its own. */
export function headerText(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
