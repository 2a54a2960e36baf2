/**
 * A small set of hash commands (HSET HGET HDEL HGETALL HLEN HEXISTS HINCRBY), enough for
 * TYPE and WRONGTYPE to be real. Fields keep insertion order, as small Redis hashes do.
 */
import type { App } from '../../lib/framework/app.js';
import type { Reply } from '../../lib/resp/types.js';
import { asHash, currentDb, type Kv } from './access.js';
import { bulk, int64Arg, parseInt64, text } from './args.js';
import { addInt64 } from './counters.js';
import { kvdErrors } from './errors.js';
import type { Hash, KvData } from './store.js';
import { a, keySpec, spec } from './spec.js';

function readHash(m: Kv, args: readonly Buffer[]): Hash | undefined {
  return asHash(currentDb(m).peek(text(args[1] as Buffer), m.now()));
}

/** The hash at key for a write, created (and stored) when missing. */
function writableHash(m: Kv, key: string): Hash {
  const db = currentDb(m);
  const existing = asHash(db.touch(key, m.now()));
  if (existing !== undefined) return existing;
  const created: Hash = new Map();
  db.put(key, created);
  return created;
}

function hset(m: Kv, args: readonly Buffer[]): Reply {
  if (args.length % 2 === 1) throw kvdErrors.wrongArity(text(args[0] as Buffer));
  const hash = writableHash(m, text(args[1] as Buffer));
  let created = 0;
  for (let i = 2; i < args.length; i += 2) {
    const field = text(args[i] as Buffer);
    if (!hash.has(field)) created++;
    hash.set(field, text(args[i + 1] as Buffer));
  }
  return created;
}

function hget(m: Kv, args: readonly Buffer[]): Reply {
  const value = readHash(m, args)?.get(text(args[2] as Buffer));
  return value === undefined ? null : bulk(value);
}

function hdel(m: Kv, args: readonly Buffer[]): Reply {
  const key = text(args[1] as Buffer);
  const db = currentDb(m);
  const hash = asHash(db.touch(key, m.now()));
  if (hash === undefined) return 0;
  let deleted = 0;
  for (let i = 2; i < args.length; i++) if (hash.delete(text(args[i] as Buffer))) deleted++;
  if (hash.size === 0) db.remove(key);
  return deleted;
}

function hgetall(m: Kv, args: readonly Buffer[]): Reply {
  const out = new Map<Reply, Reply>();
  for (const [field, value] of readHash(m, args) ?? []) out.set(bulk(field), bulk(value));
  return out;
}

function hlen(m: Kv, args: readonly Buffer[]): Reply {
  return readHash(m, args)?.size ?? 0;
}

function hexists(m: Kv, args: readonly Buffer[]): Reply {
  return readHash(m, args)?.has(text(args[2] as Buffer)) === true ? 1 : 0;
}

function hincrby(m: Kv, args: readonly Buffer[]): Reply {
  const increment = int64Arg(args[3] as Buffer);
  const key = text(args[1] as Buffer);
  const field = text(args[2] as Buffer);
  const db = currentDb(m);
  const existing = asHash(db.touch(key, m.now()));
  const old = existing?.get(field);
  const value = old === undefined ? 0n : parseInt64(old);
  if (value === null) throw kvdErrors.hashValueNotInteger();
  const sum = addInt64(value, increment);
  writableHash(m, key).set(field, sum.toString());
  return sum;
}

export function registerHashCommands(app: App<KvData>): void {
  const field = a.string('field');
  const since = '2.0.0';
  app.addWriteCommand(
    'hset',
    keySpec(-4, 'write denyoom fast', 'hash', since, 'Sets fields of a hash; returns how many were new.', [
      a.key(),
      a.block('data', [field, a.string('value')], { multiple: true }),
    ]),
    hset,
  );
  app.addReadCommand('hget', keySpec(3, 'readonly fast', 'hash', since, 'Returns the value of a hash field.', [a.key(), field]), hget);
  app.addWriteCommand(
    'hdel',
    keySpec(-3, 'write fast', 'hash', since, 'Deletes fields of a hash; returns how many existed.', [a.key(), a.string('field', { multiple: true })]),
    hdel,
  );
  app.addReadCommand(
    'hgetall',
    spec({
      arity: 2,
      flags: 'readonly',
      keys: [1, 1, 1],
      summary: 'Returns every field and value of a hash.',
      since,
      group: 'hash',
      complexity: 'O(N) for N fields',
      args: [a.key()],
    }),
    hgetall,
  );
  app.addReadCommand('hlen', keySpec(2, 'readonly fast', 'hash', since, 'Returns the number of fields in a hash.'), hlen);
  app.addReadCommand('hexists', keySpec(3, 'readonly fast', 'hash', since, 'Tells whether a hash field exists.', [a.key(), field]), hexists);
  app.addWriteCommand(
    'hincrby',
    keySpec(4, 'write denyoom fast', 'hash', since, 'Adds an integer to the integer value of a hash field.', [a.key(), field, a.integer('increment')]),
    hincrby,
  );
}
