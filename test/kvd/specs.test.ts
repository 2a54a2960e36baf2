/**
 * Every kvd command carries a complete CommandSpec, and its facts agree with redis-server's
 * COMMAND INFO and COMMAND DOCS (arity, flags, key positions, group, since, and the shape of
 * the arguments), so COMMAND output and redis-cli hints look as they do with Redis.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArgumentSpec } from '../../lib/framework/app.js';
import { kvdApp } from '../../examples/kvd/app.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { RespClient } from './resp-client.js';
import type { Wire } from './wire.js';

/** The commands DESIGN.md section 10 and the kvd brief list. */
const EXPECTED = `get set setnx setex psetex getset getdel getex mget mset msetnx append strlen getrange setrange
incr decr incrby decrby incrbyfloat del unlink exists type keys scan rename renamenx dbsize flushdb flushall randomkey
expire pexpire expireat pexpireat ttl pttl persist expiretime pexpiretime swapdb move copy
hset hget hdel hgetall hlen hexists hincrby lpush rpush lpop rpop lrange llen`.split(/\s+/);

const text = (w: Wire | undefined): string => String(w).slice(1);

/** Flat name/value pairs (RESP2 maps) as an object. */
function pairs(w: Wire | undefined): Record<string, Wire> {
  const out: Record<string, Wire> = {};
  const list = Array.isArray(w) ? w : [];
  for (let i = 0; i + 1 < list.length; i += 2) out[text(list[i])] = list[i + 1] as Wire;
  return out;
}

/** What must match in an argument: type, token, optional, multiple, nested shape. */
function shapeOfRedis(w: Wire): string {
  const a = pairs(w);
  const flags = Array.isArray(a.flags) ? a.flags.map(text) : [];
  const nested = Array.isArray(a.arguments) ? a.arguments.map(shapeOfRedis).join(',') : '';
  return `${text(a.type)}:${a.token === undefined ? '' : text(a.token)}:${flags.includes('optional')}:${flags.includes('multiple')}[${nested}]`;
}

function shapeOfOurs(a: ArgumentSpec): string {
  const nested = (a.arguments ?? []).map(shapeOfOurs).join(',');
  return `${a.type}:${a.token ?? ''}:${a.optional === true}:${a.multiple === true}[${nested}]`;
}

describe('command specs', () => {
  let redis: RedisServer | undefined;
  let client: RespClient | undefined;

  before(async () => {
    redis = await startRedisServer();
    client = await RespClient.connect(redis.port);
  });

  after(async () => {
    client?.close();
    await redis?.stop();
  });

  test('kvd registers exactly the listed commands, each fully described', () => {
    assert.deepEqual([...kvdApp.commands.keys()].sort(), [...EXPECTED].sort());
    for (const def of kvdApp.commands.values()) {
      const s = def.spec;
      assert.ok(s.summary && s.since && s.group && s.complexity && s.flags && s.arguments, `${def.name} spec is incomplete`);
      assert.ok(s.firstKey !== undefined && s.lastKey !== undefined && s.step !== undefined, `${def.name} has no key positions`);
      const writes = s.flags.includes('write');
      assert.equal(def.kind === 'write', writes, `${def.name}: registered as ${def.kind} but flagged ${s.flags.join(' ')}`);
    }
  });

  test('arity, flags, key positions, group, since and arguments agree with redis-server', async () => {
    const c = client as RespClient;
    for (const def of kvdApp.commands.values()) {
      const info = await c.send(['COMMAND', 'INFO', def.name]);
      const row = (Array.isArray(info) ? info[0] : undefined) as Wire[] | undefined;
      assert.ok(Array.isArray(row), `redis-server does not know ${def.name}`);
      const [, arity, flags, first, last, step] = row;
      const s = def.spec;
      assert.equal(s.arity, Number(text(arity)), `${def.name} arity`);
      assert.deepEqual([...(s.flags ?? [])].sort(), (flags as Wire[]).map(text).sort(), `${def.name} flags`);
      assert.deepEqual([s.firstKey, s.lastKey, s.step], [first, last, step].map((w) => Number(text(w))), `${def.name} keys`);
      const docs = await c.send(['COMMAND', 'DOCS', def.name]);
      const doc = pairs((docs as Wire[])[1]);
      assert.equal(s.group, text(doc.group), `${def.name} group`);
      assert.equal(s.since, text(doc.since), `${def.name} since`);
      const theirs = Array.isArray(doc.arguments) ? doc.arguments.map(shapeOfRedis) : [];
      assert.deepEqual((s.arguments ?? []).map(shapeOfOurs), theirs, `${def.name} arguments`);
    }
  });
});
