/**
 * How handlers reach the data: the client's database, and a key's value checked against
 * the type the command needs (WRONGTYPE otherwise). `read*` never changes anything (an
 * expired key is just absent); `write*` reclaims an expired key it touches.
 */
import type { Machine } from '../../lib/framework/app.js';
import { kvdErrors } from './errors.js';
import { dbOf, type Db, type Hash, type KvData, type List, type Value } from './store.js';

export type Kv = Machine<KvData>;

export function currentDb(m: Kv): Db {
  return dbOf(m.data, m.db);
}

export function asString(value: Value | undefined): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw kvdErrors.wrongType();
}

export function asHash(value: Value | undefined): Hash | undefined {
  if (value === undefined || value instanceof Map) return value;
  throw kvdErrors.wrongType();
}

export function asList(value: Value | undefined): List | undefined {
  if (value === undefined || Array.isArray(value)) return value;
  throw kvdErrors.wrongType();
}

export function readString(m: Kv, key: string): string | undefined {
  return asString(currentDb(m).peek(key, m.now()));
}

export function writeString(m: Kv, key: string): string | undefined {
  return asString(currentDb(m).touch(key, m.now()));
}

/** A deep copy, for COPY: strings are immutable, hashes and lists are not. */
export function copyValue(value: Value): Value {
  if (typeof value === 'string') return value;
  return value instanceof Map ? new Map(value) : value.slice();
}
