/**
 * Commands across databases: FLUSHDB FLUSHALL SWAPDB MOVE COPY. (SELECT belongs to the
 * framework; handlers read the client's database from Machine.db.)
 */
import type { App } from '../../lib/framework/app.js';
import { OK, type Reply } from '../../lib/resp/types.js';
import { copyValue, currentDb, type Kv } from './access.js';
import { int32Arg, isToken, text } from './args.js';
import { kvdErrors } from './errors.js';
import { Db, dbOf, type KvData } from './store.js';
import { a, spec } from './spec.js';

/** Only ASYNC or SYNC may follow FLUSHDB/FLUSHALL; both flush at once here. */
function checkFlushMode(args: readonly Buffer[]): void {
  if (args.length > 2) throw kvdErrors.syntax();
  const mode = args[1];
  if (mode !== undefined && !isToken(mode, 'ASYNC') && !isToken(mode, 'SYNC')) throw kvdErrors.syntax();
}

function flushdb(m: Kv, args: readonly Buffer[]): Reply {
  checkFlushMode(args);
  currentDb(m).clear();
  return OK;
}

function flushall(m: Kv, args: readonly Buffer[]): Reply {
  checkFlushMode(args);
  for (const db of m.data.dbs) db.clear();
  return OK;
}

/** A database index argument (an int32, then within range). */
function dbIndex(m: Kv, arg: Buffer): number {
  const index = int32Arg(arg);
  if (index < 0 || index >= m.data.dbs.length) throw kvdErrors.dbIndexOutOfRange();
  return index;
}

function swapdb(m: Kv, args: readonly Buffer[]): Reply {
  const first = int32Arg(args[1] as Buffer, () => kvdErrors.invalidDbIndex('first'));
  const second = int32Arg(args[2] as Buffer, () => kvdErrors.invalidDbIndex('second'));
  const dbs = m.data.dbs;
  if (first < 0 || first >= dbs.length || second < 0 || second >= dbs.length) throw kvdErrors.dbIndexOutOfRange();
  const a = dbOf(m.data, first);
  dbs[first] = dbOf(m.data, second);
  dbs[second] = a;
  return OK;
}

/** Stores a copy (or the value itself) with its TTL under key in target. */
function place(target: Db, key: string, source: Db, sourceKey: string, copy: boolean): void {
  const value = source.stored(sourceKey);
  if (value === undefined) return;
  const ttl = source.ttl(sourceKey);
  target.remove(key);
  target.put(key, copy ? copyValue(value) : value);
  if (ttl !== undefined) target.setExpire(key, ttl);
}

function move(m: Kv, args: readonly Buffer[]): Reply {
  const target = dbOf(m.data, dbIndex(m, args[2] as Buffer));
  const source = currentDb(m);
  if (target === source) throw kvdErrors.sameObject();
  const key = text(args[1] as Buffer);
  const now = m.now();
  if (source.touch(key, now) === undefined) return 0;
  if (target.touch(key, now) !== undefined) return 0;
  place(target, key, source, key, false);
  source.remove(key);
  return 1;
}

interface CopyOptions {
  target: Db;
  replace: boolean;
}

function copyOptions(m: Kv, args: readonly Buffer[]): CopyOptions {
  const options: CopyOptions = { target: currentDb(m), replace: false };
  for (let j = 3; j < args.length; j++) {
    const arg = args[j] as Buffer;
    const next = args[j + 1];
    if (isToken(arg, 'REPLACE')) {
      options.replace = true;
    } else if (isToken(arg, 'DB') && next !== undefined) {
      options.target = dbOf(m.data, dbIndex(m, next));
      j++;
    } else {
      throw kvdErrors.syntax();
    }
  }
  return options;
}

function copy(m: Kv, args: readonly Buffer[]): Reply {
  const { target, replace } = copyOptions(m, args);
  const source = currentDb(m);
  const key = text(args[1] as Buffer);
  const newKey = text(args[2] as Buffer);
  if (source === target && key === newKey) throw kvdErrors.sameObject();
  const now = m.now();
  if (source.peek(key, now) === undefined) return 0;
  if (target.touch(newKey, now) !== undefined && !replace) return 0;
  place(target, newKey, source, key, true);
  return 1;
}

export function registerDatabaseCommands(app: App<KvData>): void {
  const flushArgs = [a.oneof('flush-type', [a.token('ASYNC'), a.token('SYNC')], { optional: true })];
  const flush = (summary: string, complexity: string) =>
    spec({ arity: -1, flags: 'write', summary, since: '1.0.0', group: 'server', complexity, args: flushArgs });
  app.addWriteCommand('flushdb', flush('Deletes every key of the current database.', 'O(N) for N keys in the database'), flushdb);
  app.addWriteCommand('flushall', flush('Deletes every key of every database.', 'O(N) for N keys in all databases'), flushall);
  app.addWriteCommand(
    'swapdb',
    spec({
      arity: 3,
      flags: 'write fast',
      summary: 'Swaps the contents of two databases.',
      since: '4.0.0',
      group: 'server',
      complexity: 'O(1)',
      args: [a.integer('index1'), a.integer('index2')],
    }),
    swapdb,
  );
  app.addWriteCommand(
    'move',
    spec({
      arity: 3,
      flags: 'write fast',
      keys: [1, 1, 1],
      summary: 'Moves a key to another database unless the key exists there.',
      since: '1.0.0',
      group: 'generic',
      complexity: 'O(1)',
      args: [a.key(), a.integer('db')],
    }),
    move,
  );
  app.addWriteCommand(
    'copy',
    spec({
      arity: -3,
      flags: 'write denyoom',
      keys: [1, 2, 1],
      summary: 'Copies a value and its TTL to another key, optionally in another database.',
      since: '6.2.0',
      group: 'generic',
      complexity: 'O(N) for N nested items; O(1) for strings',
      args: [
        a.key('source'),
        a.key('destination'),
        a.integer('destination-db', { token: 'DB', optional: true }),
        a.token('REPLACE', { optional: true }),
      ],
    }),
    copy,
  );
}
