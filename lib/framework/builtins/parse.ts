/** Argument parsing shared by built-in commands, with Redis's rules. */
import { INT32_MAX, INT32_MIN, parseInt64 } from '../../util/integers.js';

/** An integer as Redis's string2ll reads it, within the safe range of a JS number; null otherwise. */
export function parseInteger(arg: Buffer | undefined): number | null {
  if (arg === undefined) return null;
  const value = parseInt64(arg.toString('latin1'));
  if (value === null || value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return null;
  return Number(value);
}

/** Redis's getIntFromObjectOrReply: an int64 that must also fit in a C int. */
export function parseInt32(arg: Buffer | undefined): number | 'notInteger' | 'outOfRange' {
  if (arg === undefined) return 'notInteger';
  const value = parseInt64(arg.toString('latin1'));
  if (value === null) return 'notInteger';
  if (value < BigInt(INT32_MIN) || value > BigInt(INT32_MAX)) return 'outOfRange';
  return Number(value);
}
