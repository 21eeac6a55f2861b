import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: nothing a person can misread when typing a code from a receipt. */
export const ACTIVATION_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const ACTIVATION_CODE_LENGTH = 12;

/** 12 characters from a 31-letter alphabet (≈ 59 bits), each drawn without bias from the OS CSPRNG. */
export function newActivationCode(): string {
  let code = '';
  for (let i = 0; i < ACTIVATION_CODE_LENGTH; i++) code += ACTIVATION_ALPHABET.charAt(randomInt(ACTIVATION_ALPHABET.length));
  return code;
}

/** `abcd-efgh-jkmn` or `ABCD EFGH JKMN` → `ABCDEFGHJKMN`; undefined when it cannot be a code at all. */
export function normaliseActivationCode(input: string): string | undefined {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== ACTIVATION_CODE_LENGTH) return undefined;
  for (const ch of code) if (!ACTIVATION_ALPHABET.includes(ch)) return undefined;
  return code;
}

/** How codes are shown: `ABCD-EFGH-JKMN`. */
export function formatActivationCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}`;
}
