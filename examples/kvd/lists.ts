/**
 * A small set of list commands (LPUSH RPUSH LPOP RPOP with count, LRANGE LLEN), enough for
 * TYPE and WRONGTYPE to be real. An emptied list is deleted, as in Redis.
 */
import type { App } from '../../lib/framework/app.js';
import { NULL_ARRAY, type Reply } from '../../lib/resp/types.js';
import { asList, currentDb, type Kv } from './access.js';
import { bulk, longArg, parseInt64, text } from './args.js';
import { kvdErrors } from './errors.js';
import type { KvData, List } from './store.js';
import { a, keySpec, spec } from './spec.js';

function push(m: Kv, args: readonly Buffer[], head: boolean): Reply {
  const key = text(args[1] as Buffer);
  const db = currentDb(m);
  const list = asList(db.touch(key, m.now())) ?? [];
  const items = args.slice(2).map(text);
  if (head) {
    items.reverse();
    db.put(key, items.concat(list));
    return items.length + list.length;
  }
  for (const item of items) list.push(item);
  db.put(key, list);
  return list.length;
}

/** LPOP/RPOP's count: Redis gives one message for "not a number" and "negative". */
function popCount(arg: Buffer): number {
  const count = parseInt64(text(arg));
  if (count === null || count < 0n) throw kvdErrors.mustBePositive();
  return Number(count);
}

function pop(m: Kv, args: readonly Buffer[], head: boolean): Reply {
  if (args.length > 3) throw kvdErrors.wrongArity(text(args[0] as Buffer));
  const count = args.length === 3 ? popCount(args[2] as Buffer) : undefined;
  const key = text(args[1] as Buffer);
  const db = currentDb(m);
  const list = asList(db.touch(key, m.now()));
  if (list === undefined) return count === undefined ? null : NULL_ARRAY;
  const taken = head ? list.splice(0, count ?? 1) : list.splice(Math.max(0, list.length - (count ?? 1))).reverse();
  if (list.length === 0) db.remove(key);
  if (count === undefined) return bulk(taken[0] as string);
  return taken.map(bulk);
}

function lrange(m: Kv, args: readonly Buffer[]): Reply {
  let start = longArg(args[2] as Buffer);
  let stop = longArg(args[3] as Buffer);
  const list: List = asList(currentDb(m).peek(text(args[1] as Buffer), m.now())) ?? [];
  const len = list.length;
  if (start < 0) start = Math.max(0, len + start);
  if (stop < 0) stop = len + stop;
  if (start > stop || start >= len) return [];
  return list.slice(start, Math.min(stop, len - 1) + 1).map(bulk);
}

function llen(m: Kv, args: readonly Buffer[]): Reply {
  return asList(currentDb(m).peek(text(args[1] as Buffer), m.now()))?.length ?? 0;
}

export function registerListCommands(app: App<KvData>): void {
  const elements = [a.key(), a.string('element', { multiple: true })];
  const popArgs = [a.key(), a.integer('count', { optional: true })];
  app.addWriteCommand('lpush', keySpec(-3, 'write denyoom fast', 'list', '1.0.0', 'Prepends elements to a list; returns its length.', elements), (m, args) =>
    push(m, args, true),
  );
  app.addWriteCommand('rpush', keySpec(-3, 'write denyoom fast', 'list', '1.0.0', 'Appends elements to a list; returns its length.', elements), (m, args) =>
    push(m, args, false),
  );
  app.addWriteCommand('lpop', keySpec(-2, 'write fast', 'list', '1.0.0', 'Removes and returns the first element(s) of a list.', popArgs), (m, args) =>
    pop(m, args, true),
  );
  app.addWriteCommand('rpop', keySpec(-2, 'write fast', 'list', '1.0.0', 'Removes and returns the last element(s) of a list.', popArgs), (m, args) =>
    pop(m, args, false),
  );
  app.addReadCommand(
    'lrange',
    spec({
      arity: 4,
      flags: 'readonly',
      keys: [1, 1, 1],
      summary: 'Returns a range of elements of a list (negative indexes count from the end).',
      since: '1.0.0',
      group: 'list',
      complexity: 'O(S+N) for offset S and N elements returned',
      args: [a.key(), a.integer('start'), a.integer('stop')],
    }),
    lrange,
  );
  app.addReadCommand('llen', keySpec(2, 'readonly fast', 'list', '1.0.0', 'Returns the length of a list.'), llen);
}
