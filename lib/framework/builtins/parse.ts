/** Argument parsing shared by built-in commands, with Redis's rules. */

const MAX_INT_DIGITS = 20;

/**
 * A signed 64-bit-range decimal integer as Redis's string2ll accepts it (no spaces, no
 * '+', no leading zeros), limited to the safe-integer range of a JS number. Null when it
 * is not one.
 */
export function parseInteger(arg: Buffer | undefined): number | null {
  if (arg === undefined || arg.length === 0 || arg.length > MAX_INT_DIGITS) return null;
  const text = arg.toString('latin1');
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}
