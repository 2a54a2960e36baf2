/**
 * INCR DECR INCRBY DECRBY (int64 with Redis's overflow checks) and INCRBYFLOAT (80-bit
 * long double arithmetic, see longdouble.ts). Counters keep the key's TTL, as in Redis.
 */
import type { App } from '../../lib/framework/app.js';
import type { Reply } from '../../lib/resp/types.js';
import { currentDb, writeString, type Kv } from './access.js';
import { INT64_MAX, INT64_MIN, int64Arg, parseInt64, text } from './args.js';
import { kvdErrors } from './errors.js';
import { add, formatHuman, isFinite, parseLongDouble } from './longdouble.js';
import type { KvData } from './store.js';
import { a, keySpec } from './spec.js';

/** value + increment, or the overflow error when it leaves int64. */
export function addInt64(value: bigint, increment: bigint): bigint {
  const sum = value + increment;
  if (sum < INT64_MIN || sum > INT64_MAX) throw kvdErrors.overflow();
  return sum;
}

function incrementBy(m: Kv, key: string, increment: bigint): Reply {
  const old = writeString(m, key);
  const value = old === undefined ? 0n : parseInt64(old);
  if (value === null) throw kvdErrors.notInteger();
  const sum = addInt64(value, increment);
  currentDb(m).put(key, sum.toString());
  return sum;
}

function incr(m: Kv, args: readonly Buffer[]): Reply {
  return incrementBy(m, text(args[1] as Buffer), 1n);
}

function decr(m: Kv, args: readonly Buffer[]): Reply {
  return incrementBy(m, text(args[1] as Buffer), -1n);
}

function incrby(m: Kv, args: readonly Buffer[]): Reply {
  const increment = int64Arg(args[2] as Buffer);
  return incrementBy(m, text(args[1] as Buffer), increment);
}

function decrby(m: Kv, args: readonly Buffer[]): Reply {
  const decrement = int64Arg(args[2] as Buffer);
  // Negating INT64_MIN does not fit in int64.
  if (decrement === INT64_MIN) throw kvdErrors.decrementOverflow();
  return incrementBy(m, text(args[1] as Buffer), -decrement);
}

function incrbyfloat(m: Kv, args: readonly Buffer[]): Reply {
  const key = text(args[1] as Buffer);
  const old = writeString(m, key);
  const value = parseLongDouble(old ?? '0');
  const increment = parseLongDouble(text(args[2] as Buffer));
  if (value === null || increment === null) throw kvdErrors.notFloat();
  const sum = add(value, increment);
  if (!isFinite(sum)) throw kvdErrors.nanOrInfinity();
  const formatted = formatHuman(sum);
  currentDb(m).put(key, formatted);
  return Buffer.from(formatted, 'latin1');
}

export function registerCounterCommands(app: App<KvData>): void {
  const flags = 'write denyoom fast';
  app.addWriteCommand('incr', keySpec(2, flags, 'string', '1.0.0', 'Adds 1 to the integer value of a key (0 when missing).'), incr);
  app.addWriteCommand('decr', keySpec(2, flags, 'string', '1.0.0', 'Subtracts 1 from the integer value of a key (0 when missing).'), decr);
  app.addWriteCommand(
    'incrby',
    keySpec(3, flags, 'string', '1.0.0', 'Adds an integer to the integer value of a key.', [a.key(), a.integer('increment')]),
    incrby,
  );
  app.addWriteCommand(
    'decrby',
    keySpec(3, flags, 'string', '1.0.0', 'Subtracts an integer from the integer value of a key.', [a.key(), a.integer('decrement')]),
    decrby,
  );
  app.addWriteCommand(
    'incrbyfloat',
    keySpec(3, flags, 'string', '2.6.0', 'Adds a floating point number to the value of a key; returns the new value.', [
      a.key(),
      a.double('increment'),
    ]),
    incrbyfloat,
  );
}
