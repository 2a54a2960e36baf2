/**
 * Commands on keys of any type within one database: DEL UNLINK EXISTS TYPE KEYS RENAME
 * RENAMENX DBSIZE RANDOMKEY.
 */
import type { App } from '../../lib/framework/app.js';
import { OK, SimpleString, type Reply } from '../../lib/resp/types.js';
import { currentDb, type Kv } from './access.js';
import { bulk, text } from './args.js';
import { kvdErrors } from './errors.js';
import { globMatch } from '../../lib/util/glob.js';
import { typeOf, type Db, type KvData } from './store.js';
import { a, keySpec, spec } from './spec.js';

function del(m: Kv, args: readonly Buffer[]): Reply {
  const db = currentDb(m);
  const now = m.now();
  let deleted = 0;
  for (let i = 1; i < args.length; i++) if (db.removeLive(text(args[i] as Buffer), now)) deleted++;
  return deleted;
}

function exists(m: Kv, args: readonly Buffer[]): Reply {
  const db = currentDb(m);
  const now = m.now();
  let count = 0;
  for (let i = 1; i < args.length; i++) if (db.peek(text(args[i] as Buffer), now) !== undefined) count++;
  return count;
}

function type(m: Kv, args: readonly Buffer[]): Reply {
  const value = currentDb(m).peek(text(args[1] as Buffer), m.now());
  return new SimpleString(value === undefined ? 'none' : typeOf(value));
}

function keys(m: Kv, args: readonly Buffer[]): Reply {
  const pattern = text(args[1] as Buffer);
  const db = currentDb(m);
  const now = m.now();
  const out: Reply[] = [];
  for (let slot = 0; slot < db.size; slot++) {
    const key = db.keyAt(slot) as string;
    if (db.liveAt(slot, now) && globMatch(pattern, key)) out.push(bulk(key));
  }
  return out;
}

/** Moves key's value and TTL to newKey; the caller has checked both. */
function moveKey(db: Db, key: string, newKey: string): void {
  const value = db.stored(key);
  const ttl = db.ttl(key);
  if (value === undefined) return;
  db.remove(newKey);
  db.remove(key);
  db.put(newKey, value);
  if (ttl !== undefined) db.setExpire(newKey, ttl);
}

function renameGeneric(m: Kv, args: readonly Buffer[], nx: boolean): Reply {
  const key = text(args[1] as Buffer);
  const newKey = text(args[2] as Buffer);
  const db = currentDb(m);
  const now = m.now();
  if (db.touch(key, now) === undefined) throw kvdErrors.noSuchKey();
  if (key === newKey) return nx ? 0 : OK;
  if (db.touch(newKey, now) !== undefined && nx) return 0;
  moveKey(db, key, newKey);
  return nx ? 1 : OK;
}

function dbsize(m: Kv): Reply {
  return currentDb(m).size;
}

/** Tries before falling back to a full pass when most sampled keys are expired. */
const RANDOM_TRIES = 32;

function randomkey(m: Kv): Reply {
  const db = currentDb(m);
  const now = m.now();
  const n = db.size;
  if (n === 0) return null;
  for (let i = 0; i < RANDOM_TRIES; i++) {
    const slot = Math.floor(m.rand() * n);
    if (db.liveAt(slot, now)) return bulk(db.keyAt(slot) as string);
  }
  // Mostly expired keys (active expiry has not caught up): pick uniformly among live ones.
  const live: number[] = [];
  for (let slot = 0; slot < n; slot++) if (db.liveAt(slot, now)) live.push(slot);
  if (live.length === 0) return null;
  return bulk(db.keyAt(live[Math.floor(m.rand() * live.length)] as number) as string);
}

export function registerKeyspaceCommands(app: App<KvData>): void {
  const manyKeys = (flags: string, since: string, summary: string) =>
    spec({
      arity: -2,
      flags,
      keys: [1, -1, 1],
      summary,
      since,
      group: 'generic',
      complexity: 'O(N) for N keys',
      args: [a.key('key', { multiple: true })],
    });
  app.addWriteCommand('del', manyKeys('write', '1.0.0', 'Deletes keys; returns how many existed.'), del);
  app.addWriteCommand('unlink', manyKeys('write fast', '4.0.0', 'Deletes keys (as DEL); returns how many existed.'), del);
  app.addReadCommand('exists', manyKeys('readonly fast', '1.0.0', 'Counts how many of the given keys exist (a key given twice counts twice).'), exists);
  app.addReadCommand('type', keySpec(2, 'readonly fast', 'generic', '1.0.0', 'Returns the type of a key: string, hash, list, or none.'), type);
  app.addReadCommand(
    'keys',
    spec({
      arity: 2,
      flags: 'readonly',
      summary: 'Returns every key matching a glob-style pattern.',
      since: '1.0.0',
      group: 'generic',
      complexity: 'O(N) for N keys in the database',
      args: [a.pattern('pattern')],
    }),
    keys,
  );
  const rename = (flags: string, summary: string) =>
    spec({ arity: 3, flags, keys: [1, 2, 1], summary, since: '1.0.0', group: 'generic', complexity: 'O(1)', args: [a.key(), a.key('newkey')] });
  app.addWriteCommand('rename', rename('write', 'Renames a key, replacing any key with the new name.'), (m, args) => renameGeneric(m, args, false));
  app.addWriteCommand('renamenx', rename('write fast', 'Renames a key only when the new name is free.'), (m, args) => renameGeneric(m, args, true));
  app.addReadCommand(
    'dbsize',
    spec({ arity: 1, flags: 'readonly fast', summary: 'Returns the number of keys in the database.', since: '1.0.0', group: 'server', complexity: 'O(1)' }),
    dbsize,
  );
  app.addReadCommand(
    'randomkey',
    spec({ arity: 1, flags: 'readonly', summary: 'Returns a key chosen uniformly at random.', since: '1.0.0', group: 'generic', complexity: 'O(1)' }),
    randomkey,
  );
}
