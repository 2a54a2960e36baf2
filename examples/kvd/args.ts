/**
 * Reading command arguments the way Redis does: integers with string2ll's strict grammar,
 * option tokens case-insensitively, keys and values as latin1 strings (a copy, so nothing
 * stored aliases the request buffer).
 */
import { BinaryString, type ReplyError } from '../../lib/resp/types.js';
import { kvdErrors } from './errors.js';

/** string2ll's rules live in lib/util so the framework parses integers the same way. */
export { INT64_MIN, INT64_MAX, parseInt64 } from '../../lib/util/integers.js';
import { INT32_MIN, INT32_MAX, parseInt64 } from '../../lib/util/integers.js';

/** A key or string value as stored: a latin1 copy of the argument. */
export function text(arg: Buffer): string {
  return arg.toString('latin1');
}

/** A stored string as a reply (bytes as they are). */
export function bulk(value: string): BinaryString {
  return new BinaryString(value);
}

/**
 * ASCII case-insensitive comparison with an upper-case token, without allocating. Redis
 * compares options as C strings, so a NUL byte ends the argument ("nx\0junk" is NX).
 */
export function isToken(arg: Buffer | undefined, token: string): boolean {
  if (arg === undefined || arg.length < token.length) return false;
  if (arg.length > token.length && arg[token.length] !== 0) return false;
  for (let i = 0; i < token.length; i++) {
    let c = arg[i] as number;
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    if (c !== token.charCodeAt(i)) return false;
  }
  return true;
}

/** An int64 argument, or the "not an integer or out of range" error. */
export function int64Arg(arg: Buffer): bigint {
  const value = parseInt64(arg.toString('latin1'));
  if (value === null) throw kvdErrors.notInteger();
  return value;
}

/**
 * A long argument used as an index or count. Values beyond 2^53 lose precision in the
 * conversion, which cannot change the outcome for strings and lists that fit in memory.
 */
export function longArg(arg: Buffer): number {
  return Number(int64Arg(arg));
}

/**
 * Redis's getIntFromObjectOrReply: an int64 that must also fit in 32 bits. With `error`,
 * both failures give that error (as Redis does when a message is passed).
 */
export function int32Arg(arg: Buffer, error?: () => ReplyError): number {
  const value = parseInt64(arg.toString('latin1'));
  if (value === null) throw error?.() ?? kvdErrors.notInteger();
  if (value < INT32_MIN || value > INT32_MAX) throw error?.() ?? kvdErrors.notInt32();
  return Number(value);
}

export function argAt(args: readonly Buffer[], i: number): Buffer {
  const arg = args[i];
  if (arg === undefined) throw kvdErrors.syntax();
  return arg;
}
