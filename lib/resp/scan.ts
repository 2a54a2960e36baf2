/** Byte-level helpers shared by the request parser and the reply reader. */

export const CR = 13;
export const LF = 10;
const ZERO = 48;
const NINE = 57;
const MINUS = 45;
/** Longest digit string read as a length: more digits are past every limit (limits are safe integers). */
export const MAX_DIGITS = 16;

/**
 * A non-negative decimal of b[from, to) as Redis's string2ll reads it (no sign, no
 * leading zeros, no spaces), or -1.
 */
export function parseLength(b: Uint8Array, from: number, to: number): number {
  const digits = to - from;
  if (digits <= 0 || digits > MAX_DIGITS || (digits > 1 && b[from] === ZERO)) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c < ZERO || c > NINE) return -1;
    value = value * 10 + (c - ZERO);
  }
  return value;
}

/** Like parseLength, but `-1` (a null in replies) reads as -1 and any other invalid text as -2. */
export function parseLengthOrNull(b: Uint8Array, from: number, to: number): number {
  if (to - from === 2 && b[from] === MINUS && b[from + 1] === 49) return -1;
  const value = parseLength(b, from, to);
  return value < 0 ? -2 : value;
}

/** true when b[from, to) is a decimal integer with an optional sign: `:` and `(` replies. */
export function isInteger(b: Uint8Array, from: number, to: number): boolean {
  if (from < to && (b[from] === MINUS || b[from] === 43)) from++;
  if (from >= to) return false;
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

/** A byte for an error message: itself when printable, else \xHH. */
export function printable(c: number | undefined): string {
  if (c === undefined) return 'end of input';
  return c >= 32 && c < 127 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
}
