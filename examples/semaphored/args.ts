/** Argument parsing shared by the commands: integers as Redis reads them, and NAME value options. */
import { ReplyError } from '../../lib/resp/types.js';
import { semErrors } from './errors.js';

/** Keys and request IDs are kept as latin1 strings: one char per byte, binary-safe. */
export function text(arg: Buffer): string {
  return arg.toString('latin1');
}

export function bytes(value: string): Buffer {
  return Buffer.from(value, 'latin1');
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/** A decimal integer in the safe range, or null (Redis rejects "+1", " 1", "01", "1.0"). */
export function parseInteger(arg: Buffer): number | null {
  const s = arg.toString('latin1');
  if (s.length > 20 || !INTEGER.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** An integer argument within [min, max]: "not an integer" or "NAME must be ..." otherwise. */
export function rangeArg(name: string, arg: Buffer, min: number, max: number): number | ReplyError {
  const n = parseInteger(arg);
  if (n === null) return semErrors.notInteger();
  if (n < min || n > max) return semErrors.outOfRange(name, min, max);
  return n;
}

/** 'flag' options stand alone (NOWAIT); 'value' options take the next argument (TIMEOUT 100). */
export type OptionKinds = Readonly<Record<string, 'flag' | 'value'>>;

/**
 * Reads `NAME [value]` options from args[start...]. Names match case-insensitively; an
 * unknown name, a repeated one or a missing value is a syntax error, as in Redis.
 */
export function parseOptions(args: readonly Buffer[], start: number, kinds: OptionKinds): Map<string, Buffer | true> | ReplyError {
  const found = new Map<string, Buffer | true>();
  for (let i = start; i < args.length; i++) {
    const name = (args[i] as Buffer).toString('latin1').toUpperCase();
    const kind = Object.hasOwn(kinds, name) ? kinds[name] : undefined;
    if (kind === undefined || found.has(name)) return semErrors.syntax();
    if (kind === 'flag') {
      found.set(name, true);
      continue;
    }
    const value = args[++i];
    if (value === undefined) return semErrors.syntax();
    found.set(name, value);
  }
  return found;
}

/** The value of a 'value' option (parseOptions guarantees its kind). */
export function optionValue(options: Map<string, Buffer | true>, name: string): Buffer | undefined {
  const value = options.get(name);
  return value === true ? undefined : value;
}
