import type { FieldProblem } from './app-error.js';

/** The rules a string of input breaks with characters no field of this API means, as named in its problem. */
export const CONTROL_CHARACTER_RULE = 'Must not contain control characters (only tab, line feed and carriage return are allowed).';
export const UNPAIRED_SURROGATE_RULE = 'Must be valid Unicode text (it holds an unpaired surrogate).';
const FIELD_NAME_RULE = 'Field names must not contain control characters or unpaired surrogates.';
const MAX_PROBLEMS = 10;
const MAX_SEGMENT = 64;
const MAX_PATH = 200;

const isControl = (c: number) => (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f;

/**
 * The rule `text` breaks, if any: C0 controls other than tab, line feed and carriage return, and
 * DEL (Postgres refuses NUL in text and `\u0000` in jsonb); an unpaired surrogate, which JSON's
 * `\ud800` escapes let in (jsonb refuses it). Left in, either fails deep inside a query as a 500
 * instead of a 400 naming the field.
 */
export function characterRuleBroken(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isControl(c)) return CONTROL_CHARACTER_RULE;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return UNPAIRED_SURROGATE_RULE;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return UNPAIRED_SURROGATE_RULE;
    }
  }
  return undefined;
}

/** A field name as it may appear in a problem: control characters and unpaired surrogates escaped, long names cut. */
function printable(name: string): string {
  let out = '';
  for (const char of name.slice(0, MAX_SEGMENT)) {
    const c = char.codePointAt(0) ?? 0;
    out += isControl(c) || (c >= 0xd800 && c <= 0xdfff) ? `\\u${c.toString(16).padStart(4, '0')}` : char;
  }
  return name.length > MAX_SEGMENT ? `${out}…` : out;
}

/** A path one segment deeper; a path past 200 characters (a body nested on purpose) is cut and ends in `…`. */
function join(path: string, segment: string): string {
  if (path.endsWith('…')) return path;
  const joined = path === '' ? segment : `${path}.${segment}`;
  return joined.length > MAX_PATH ? `${joined.slice(0, MAX_PATH)}…` : joined;
}

/**
 * Every string and field name in `value` (parsed JSON, a query, a form) that breaks a
 * `characterRuleBroken` rule, as field problems under `prefix` (the first ten). It walks with a
 * stack of its own: how deep a body nests is the client's choice.
 */
export function characterProblems(value: unknown, prefix: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: { value: unknown; path: string }[] = [{ value, path: prefix }];
  for (let item = stack.pop(); item !== undefined && problems.length < MAX_PROBLEMS; item = stack.pop()) {
    const { value: current, path } = item;
    if (typeof current === 'string') {
      const rule = characterRuleBroken(current);
      if (rule !== undefined) problems.push({ path: path || '(root)', message: rule });
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i] as unknown, path: join(path, String(i)) });
    } else if (typeof current === 'object' && current !== null) {
      const entries: [string, unknown][] = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [name, child] = entries[i] ?? ['', undefined];
        if (characterRuleBroken(name) !== undefined) problems.push({ path: join(path, printable(name)), message: FIELD_NAME_RULE });
        else stack.push({ value: child, path: join(path, printable(name)) });
      }
    }
  }
  return problems.slice(0, MAX_PROBLEMS);
}
