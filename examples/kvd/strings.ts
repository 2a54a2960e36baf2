/**
 * String commands other than the SET family and counters: GET GETDEL MGET MSET MSETNX
 * APPEND STRLEN GETRANGE SETRANGE.
 */
import type { App } from '../../lib/framework/app.js';
import { OK, type Reply } from '../../lib/resp/types.js';
import { currentDb, readString, writeString, type Kv } from './access.js';
import { bulk, longArg, text } from './args.js';
import { kvdErrors } from './errors.js';
import type { KvData } from './store.js';
import { a, keySpec, spec } from './spec.js';

/** Redis's proto-max-bulk-len: no string may grow beyond 512 MB. */
export const MAX_STRING_BYTES = 512 * 1024 * 1024;
/**
 * V8's longest string (2^29 - 24 chars) is 24 bytes short of Redis's limit; growing a value
 * into that gap gets the same error as going past 512 MB.
 */
const MAX_JS_STRING = 2 ** 29 - 24;

function checkLength(total: number): void {
  if (total > MAX_STRING_BYTES || total > MAX_JS_STRING) throw kvdErrors.stringTooLong();
}

function get(m: Kv, args: readonly Buffer[]): Reply {
  const value = readString(m, text(args[1] as Buffer));
  return value === undefined ? null : bulk(value);
}

function getdel(m: Kv, args: readonly Buffer[]): Reply {
  const key = text(args[1] as Buffer);
  const value = writeString(m, key);
  if (value === undefined) return null;
  currentDb(m).remove(key);
  return bulk(value);
}

function mget(m: Kv, args: readonly Buffer[]): Reply {
  const db = currentDb(m);
  const now = m.now();
  const out: Reply[] = [];
  for (let i = 1; i < args.length; i++) {
    const value = db.peek(text(args[i] as Buffer), now);
    out.push(typeof value === 'string' ? bulk(value) : null);
  }
  return out;
}

function checkPairs(args: readonly Buffer[]): void {
  if (args.length % 2 === 0) throw kvdErrors.wrongArity(text(args[0] as Buffer));
}

function setPairs(m: Kv, args: readonly Buffer[]): void {
  const db = currentDb(m);
  for (let i = 1; i < args.length; i += 2) db.replace(text(args[i] as Buffer), text(args[i + 1] as Buffer));
}

function mset(m: Kv, args: readonly Buffer[]): Reply {
  checkPairs(args);
  setPairs(m, args);
  return OK;
}

function msetnx(m: Kv, args: readonly Buffer[]): Reply {
  checkPairs(args);
  const db = currentDb(m);
  const now = m.now();
  for (let i = 1; i < args.length; i += 2) {
    if (db.touch(text(args[i] as Buffer), now) !== undefined) return 0;
  }
  setPairs(m, args);
  return 1;
}

function append(m: Kv, args: readonly Buffer[]): Reply {
  const key = text(args[1] as Buffer);
  const old = writeString(m, key) ?? '';
  const addition = args[2] as Buffer;
  checkLength(old.length + addition.length);
  const value = old + text(addition);
  currentDb(m).put(key, value);
  return value.length;
}

function strlen(m: Kv, args: readonly Buffer[]): Reply {
  return readString(m, text(args[1] as Buffer))?.length ?? 0;
}

function getrange(m: Kv, args: readonly Buffer[]): Reply {
  let start = longArg(args[2] as Buffer);
  let end = longArg(args[3] as Buffer);
  const value = readString(m, text(args[1] as Buffer));
  if (value === undefined) return Buffer.alloc(0);
  const len = value.length;
  if (start < 0 && end < 0 && start > end) return Buffer.alloc(0);
  if (start < 0) start = Math.max(0, len + start);
  if (end < 0) end = Math.max(0, len + end);
  if (end >= len) end = len - 1;
  if (start > end || len === 0) return Buffer.alloc(0);
  return bulk(value.slice(start, end + 1));
}

function setrange(m: Kv, args: readonly Buffer[]): Reply {
  const offset = longArg(args[2] as Buffer);
  if (offset < 0) throw kvdErrors.offsetOutOfRange();
  const key = text(args[1] as Buffer);
  const patch = args[3] as Buffer;
  const old = writeString(m, key);
  if (patch.length === 0) return old?.length ?? 0;
  checkLength(offset + patch.length);
  const base = old ?? '';
  const head = base.length >= offset ? base.slice(0, offset) : base + '\0'.repeat(offset - base.length);
  const value = head + text(patch) + base.slice(offset + patch.length);
  currentDb(m).put(key, value);
  return value.length;
}

export function registerStringCommands(app: App<KvData>): void {
  const key = [a.key()];
  const keyValue = [a.key(), a.string('value')];
  const pairs = [a.block('data', [a.key(), a.string('value')], { multiple: true })];
  app.addReadCommand('get', keySpec(2, 'readonly fast', 'string', '1.0.0', 'Returns the string value of a key.', key), get);
  app.addWriteCommand('getdel', keySpec(2, 'write fast', 'string', '6.2.0', 'Returns the string value of a key and deletes the key.', key), getdel);
  app.addReadCommand(
    'mget',
    spec({
      arity: -2,
      flags: 'readonly fast',
      keys: [1, -1, 1],
      summary: 'Returns the string values of several keys (null where missing or not a string).',
      since: '1.0.0',
      group: 'string',
      complexity: 'O(N) for N keys',
      args: [a.key('key', { multiple: true })],
    }),
    mget,
  );
  const multiSet = (summary: string) =>
    spec({ arity: -3, flags: 'write denyoom', keys: [1, -1, 2], summary, since: '1.0.1', group: 'string', complexity: 'O(N) for N keys', args: pairs });
  app.addWriteCommand('mset', multiSet('Sets several keys to string values at once.'), mset);
  app.addWriteCommand('msetnx', multiSet('Sets several keys at once only when none of them exists.'), msetnx);
  app.addWriteCommand('append', keySpec(3, 'write denyoom fast', 'string', '2.0.0', 'Appends to a string value (creating it); returns the new length.', keyValue), append);
  app.addReadCommand('strlen', keySpec(2, 'readonly fast', 'string', '2.2.0', 'Returns the length of a string value.', key), strlen);
  const range = (name: string) => [a.key(), a.integer('start'), a.integer(name)];
  app.addReadCommand(
    'getrange',
    spec({
      arity: 4,
      flags: 'readonly',
      keys: [1, 1, 1],
      summary: 'Returns a substring (negative offsets count from the end).',
      since: '2.4.0',
      group: 'string',
      complexity: 'O(N) for the N bytes returned',
      args: range('end'),
    }),
    getrange,
  );
  app.addWriteCommand(
    'setrange',
    spec({
      arity: 4,
      flags: 'write denyoom',
      keys: [1, 1, 1],
      summary: 'Overwrites part of a string value at an offset, padding with zero bytes; returns the new length.',
      since: '2.2.0',
      group: 'string',
      complexity: 'O(M) for M bytes written, plus copying',
      args: [a.key(), a.integer('offset'), a.string('value')],
    }),
    setrange,
  );
}
