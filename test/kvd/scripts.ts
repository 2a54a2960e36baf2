/**
 * Scripted command sequences for the differential test: every command of kvd with its
 * documented behaviour and every error path we know of. Each script starts from empty
 * databases (the runner sends FLUSHALL and SELECT 0 first).
 *
 * Times are relative to the wall clock when the script is built; expiries are either far
 * in the future or already past, so both servers agree whatever the scheduling.
 */
import type { Step } from './differential.js';
import type { Arg } from './resp-client.js';

const c = (...args: Arg[]): Step => ({ args });
const scanAll = (...options: Arg[]): Step => ({ scanAll: options });

/** Far-future deadlines, so nothing expires while a script runs. */
interface Times {
  futureS: number;
  futureMs: number;
}

function stringScripts(t: Times): Record<string, Step[]> {
  const { futureS, futureMs } = t;
  return {
    'GET SET and SET options': [
      c('GET', 'k'), c('SET', 'k', 'v'), c('GET', 'k'), c('SET', 'k', 'v2', 'NX'), c('SET', 'k', 'v2', 'XX'), c('GET', 'k'),
      c('SET', 'n', 'v', 'XX'), c('SET', 'k', 'v3', 'NX', 'GET'), c('SET', 'k', 'v3', 'XX', 'GET'), c('SET', 'nk', 'v', 'NX', 'GET'),
      c('SET', 'k', 'v', 'NX', 'XX'), c('SET', 'k', 'v', 'XX', 'NX'), c('SET', 'k', 'v', 'EX', '10', 'PX', '10'),
      c('SET', 'k', 'v', 'EX', '100', 'EX', '200'), c('TTL', 'k'), c('SET', 'k', 'v', 'KEEPTTL'), c('TTL', 'k'),
      c('SET', 'k', 'v', 'KEEPTTL', 'EX', '5'), c('SET', 'k', 'v', 'EX', '5', 'KEEPTTL'), c('SET', 'k', 'v', 'KEEPTTL', 'KEEPTTL'),
      c('SET', 'k', 'v', 'PERSIST'), c('SET', 'k', 'v', 'EX'), c('SET', 'k', 'v', 'EX', '0'), c('SET', 'k', 'v', 'EX', '-1'),
      c('SET', 'k', 'v', 'PX', '0'), c('SET', 'k', 'v', 'EX', 'abc'), c('SET', 'k', 'v', 'EX', '1.5'),
      c('SET', 'k', 'v', 'EX', '9223372036854775'), c('SET', 'k', 'v', 'EX', '9223372036854'), c('TTL', 'k'),
      c('SET', 'k', 'v', 'PX', '9223372036854775807'), c('SET', 'k', 'v', 'PXAT', '9223372036854775807'), c('PEXPIRETIME', 'k'),
      c('EXPIRETIME', 'k'), c('SET', 'k', 'v', 'EXAT', String(futureS)), c('EXPIRETIME', 'k'), c('SET', 'k', 'v', 'PXAT', String(futureMs)),
      c('PEXPIRETIME', 'k'), c('SET', 'k', 'v', 'EXAT', '9223372036854776'), c('SET', 'k', 'v'), c('TTL', 'k'),
      c('SET', 'k', 'v', 'ex', '100', 'nx'), c('set', 'k', 'v', 'get', 'px', '100000'), c('PTTL', 'k'), c('SET', 'k', 'v', 'FOO'),
      c('SET', 'k'), c('SET', 'k', '', 'GET'), c('GET', 'k'), c('SET', Buffer.from([0, 255, 10, 13]), Buffer.from([1, 0, 2])),
      c('GET', Buffer.from([0, 255, 10, 13])), c('HSET', 'h', 'f', 'v'), c('SET', 'h', 'v', 'GET'), c('GET', 'h'), c('SET', 'h', 'v', 'GET'),
    ],
    'SETNX SETEX PSETEX GETSET GETDEL GETEX': [
      c('SETNX', 'k', 'a'), c('SETNX', 'k', 'b'), c('GET', 'k'), c('SETNX', 'k'), c('SETEX', 'k', '100', 'v'), c('TTL', 'k'),
      c('SETEX', 'k', '0', 'v'), c('SETEX', 'k', '-5', 'v'), c('SETEX', 'k', 'x', 'v'), c('PSETEX', 'k', '100000', 'v'), c('PTTL', 'k'),
      c('PSETEX', 'k', '0', 'v'), c('PSETEX', 'k', '-1', 'v'), c('SETEX', 'k', '100'), c('GETSET', 'k', 'new'), c('TTL', 'k'),
      c('GETSET', 'nope', 'x'), c('GET', 'nope'), c('GETDEL', 'nope2'), c('GETDEL', 'k'), c('EXISTS', 'k'), c('LPUSH', 'l', 'a'),
      c('GETSET', 'l', 'x'), c('GETDEL', 'l'), c('SETNX', 'l', 'x'), c('SETEX', 'l', '10', 'x'), c('TYPE', 'l'),
      c('SET', 'k', 'v'), c('GETEX', 'k'), c('GETEX', 'k', 'EX', '100'), c('TTL', 'k'), c('GETEX', 'k', 'PX', '200000'), c('PTTL', 'k'),
      c('GETEX', 'k', 'PERSIST'), c('TTL', 'k'), c('GETEX', 'k', 'EXAT', String(futureS)), c('EXPIRETIME', 'k'),
      c('GETEX', 'k', 'PXAT', String(futureMs)), c('PEXPIRETIME', 'k'), c('GETEX', 'k', 'EX', '0'), c('GETEX', 'k', 'EX', '-1'),
      c('GETEX', 'k', 'EX', 'x'), c('GETEX', 'k', 'PERSIST', 'PERSIST'), c('GETEX', 'k', 'EX', '10', 'PERSIST'),
      c('GETEX', 'k', 'PERSIST', 'EX', '10'), c('GETEX', 'k', 'KEEPTTL'), c('GETEX', 'k', 'NX'), c('GETEX', 'k', 'GET'),
      c('GETEX', 'k', 'EX'), c('GETEX', 'nokey', 'EX', '0'), c('GETEX', 'nokey', 'FOO'), c('GETEX', 'k', 'EXAT', '1'),
      c('EXISTS', 'k'), c('SET', 'k', 'v'), c('GETEX', 'k', 'PXAT', '1000'), c('GET', 'k'), c('SET', 'k', 'v'),
      c('GETEX', 'k', 'EX', '9223372036854775'), c('GETEX', 'l2', 'EX', '10'), c('RPUSH', 'l2', 'a'), c('GETEX', 'l2'),
    ],
    'MGET MSET MSETNX APPEND STRLEN': [
      c('MSET', 'a', '1', 'b', '2'), c('MGET', 'a', 'b', 'c'), c('MSET', 'a'), c('MSET', 'a', '1', 'b'), c('MGET'),
      c('MSETNX', 'a', '9', 'z', '9'), c('GET', 'z'), c('MSETNX', 'x', '1', 'y', '2'), c('MGET', 'x', 'y'), c('MSETNX', 'x'),
      c('MSETNX', 'q', '1', 'q', '2'), c('GET', 'q'), c('MSET', 'a', '1', 'a', '2'), c('GET', 'a'), c('LPUSH', 'l', 'x'),
      c('MGET', 'a', 'l'), c('MSET', 'l', 'now a string'), c('TYPE', 'l'), c('SET', 't', 'v', 'EX', '100'), c('MSET', 't', 'w'),
      c('TTL', 't'), c('APPEND', 'new', 'abc'), c('APPEND', 'new', 'def'), c('GET', 'new'), c('STRLEN', 'new'), c('STRLEN', 'no'),
      c('APPEND', 'new', ''), c('SET', 't', 'v', 'EX', '100'), c('APPEND', 't', 'x'), c('TTL', 't'), c('HSET', 'h', 'f', 'v'),
      c('APPEND', 'h', 'x'), c('STRLEN', 'h'), c('APPEND', 'new'), c('STRLEN'), c('SET', 'n', '12345'), c('APPEND', 'n', '6'),
      c('INCR', 'n'), c('STRLEN', 'n'),
    ],
    'GETRANGE SETRANGE': [
      c('SET', 's', 'Hello World'), c('GETRANGE', 's', '0', '4'), c('GETRANGE', 's', '-5', '-1'), c('GETRANGE', 's', '-1', '-5'),
      c('GETRANGE', 's', '5', '2'), c('GETRANGE', 's', '0', '-1'), c('GETRANGE', 's', '0', '100'), c('GETRANGE', 's', '-100', '2'),
      c('GETRANGE', 's', '-100', '-90'), c('GETRANGE', 's', '100', '200'), c('GETRANGE', 'none', '0', '-1'), c('GETRANGE', 's', 'a', '1'),
      c('GETRANGE', 's', '0', 'b'), c('GETRANGE', 's', '9223372036854775807', '-9223372036854775808'), c('GETRANGE', 's', '0'),
      c('SETRANGE', 's', '6', 'Redis'), c('GET', 's'), c('SETRANGE', 's', '20', 'X'), c('GET', 's'), c('STRLEN', 's'),
      c('SETRANGE', 'p', '5', 'ab'), c('GET', 'p'), c('SETRANGE', 'empty', '3', ''), c('EXISTS', 'empty'), c('SETRANGE', 's', '1000', ''),
      c('SETRANGE', 's', '-1', 'x'), c('SETRANGE', 's', 'x', 'x'), c('SETRANGE', 's', '536870911', 'xx'),
      c('SETRANGE', 's', '536870912', 'x'), c('SETRANGE', 'n', '536870911', ''), c('SETRANGE', 's', '9223372036854775807', 'x'),
      c('LPUSH', 'l', 'a'), c('SETRANGE', 'l', '0', 'x'), c('SETRANGE', 'l', '0', ''), c('GETRANGE', 'l', '0', '1'),
      c('SET', 't', 'abc', 'EX', '100'), c('SETRANGE', 't', '1', 'Z'), c('GET', 't'), c('TTL', 't'), c('GETRANGE', 'empty2', '-1', '-1'),
      c('SET', 'e', ''), c('GETRANGE', 'e', '0', '-1'), c('GETRANGE', 'e', '-1', '0'),
    ],
  };
}

function counterScripts(): Record<string, Step[]> {
  return {
    'INCR DECR INCRBY DECRBY': [
      c('INCR', 'n'), c('INCR', 'n'), c('DECR', 'n'), c('DECR', 'm'), c('INCRBY', 'n', '10'), c('DECRBY', 'n', '3'), c('GET', 'n'),
      c('INCRBY', 'n', 'x'), c('INCRBY', 'n', '1.5'), c('INCRBY', 'n', ''), c('INCRBY', 'n', ' 1'), c('INCRBY', 'n', '+1'),
      c('INCRBY', 'n', '01'), c('INCRBY', 'n', '-0'), c('SET', 'big', '9223372036854775807'), c('INCR', 'big'), c('INCRBY', 'big', '0'),
      c('SET', 'small', '-9223372036854775808'), c('DECR', 'small'), c('DECRBY', 'small', '1'), c('INCRBY', 'small', '-1'),
      c('DECRBY', 'n', '-9223372036854775808'), c('INCRBY', 'n', '9223372036854775808'), c('INCRBY', 'n', '-9223372036854775809'),
      c('SET', 's', 'abc'), c('INCR', 's'), c('SET', 's', '1.0'), c('INCR', 's'), c('SET', 's', ' 1'), c('INCR', 's'), c('SET', 's', '007'),
      c('INCR', 's'), c('SET', 's', '-0'), c('INCR', 's'), c('SET', 's', ''), c('INCR', 's'), c('SET', 's', '9223372036854775808'),
      c('INCR', 's'), c('HSET', 'h', 'a', '1'), c('INCR', 'h'), c('DECRBY', 'h', '1'), c('SET', 't', '5', 'EX', '100'), c('INCR', 't'),
      c('TTL', 't'), c('INCR'), c('INCRBY', 'n'), c('DECRBY', 'n', '1', '2'), c('SET', 'z', '0'), c('DECR', 'z'), c('GET', 'z'),
    ],
    INCRBYFLOAT: [
      c('INCRBYFLOAT', 'f', '0.1'), c('INCRBYFLOAT', 'f', '0.2'), c('INCRBYFLOAT', 'f', '-0.3'), c('GET', 'f'), c('INCRBYFLOAT', 'f', '10.5'),
      c('INCRBYFLOAT', 'f', '5.0e3'), c('INCRBYFLOAT', 'f', '2.0e2'), c('INCRBYFLOAT', 'f', '-5200'), c('INCRBYFLOAT', 'f', '1e-17'),
      c('INCRBYFLOAT', 'g', '3'), c('INCRBYFLOAT', 'g', '1.5e-10'), c('INCRBYFLOAT', 'h', '1e308'), c('INCRBYFLOAT', 'h', '1e308'),
      c('INCRBYFLOAT', 'h', '-1e308'), c('INCRBYFLOAT', 'i', '1e4932'), c('INCRBYFLOAT', 'i', '1e4932'), c('INCRBYFLOAT', 'j', '1e4933'),
      c('INCRBYFLOAT', 'j', '1e-4950'), c('INCRBYFLOAT', 'j', '1e-4960'), c('INCRBYFLOAT', 'j', '0e-9999'), c('INCRBYFLOAT', 'j', '-0'),
      c('GET', 'j'), c('INCRBYFLOAT', 'j', '0x10'), c('INCRBYFLOAT', 'j', '0x1.8p1'), c('INCRBYFLOAT', 'j', '0X.8P-2'),
      c('INCRBYFLOAT', 'j', '0x'), c('INCRBYFLOAT', 'j', '0xg'), c('INCRBYFLOAT', 'j', '1p3'), c('INCRBYFLOAT', 'x', 'inf'),
      c('INCRBYFLOAT', 'x', '-Infinity'), c('INCRBYFLOAT', 'x', 'nan'), c('INCRBYFLOAT', 'x', 'NaN(123)'), c('INCRBYFLOAT', 'x', 'abc'),
      c('INCRBYFLOAT', 'x', ''), c('INCRBYFLOAT', 'x', ' 1'), c('INCRBYFLOAT', 'x', '1 '), c('INCRBYFLOAT', 'x', '+1.5'),
      c('INCRBYFLOAT', 'x', '.5'), c('INCRBYFLOAT', 'x', '5.'), c('INCRBYFLOAT', 'x', '.'), c('INCRBYFLOAT', 'x', '1e'),
      c('INCRBYFLOAT', 'x', '1e+'), c('INCRBYFLOAT', 'x', '1E+2'), c('INCRBYFLOAT', 'x', '-.25e-1'), c('GET', 'x'),
      c('SET', 's', 'abc'), c('INCRBYFLOAT', 's', '1'), c('SET', 's', 'inf'), c('INCRBYFLOAT', 's', '1'), c('SET', 's', '1e400'),
      c('INCRBYFLOAT', 's', '1'), c('SET', 's', '0.1'), c('INCRBYFLOAT', 's', '0.7'), c('SET', 's', '123456789012345678901234567890'),
      c('INCRBYFLOAT', 's', '1'), c('SET', 's', '9223372036854775807'), c('INCRBYFLOAT', 's', '1'), c('SET', 's', '1.23456789012345678901'),
      c('INCRBYFLOAT', 's', '0'), c('SET', 's', '-1.5'), c('INCRBYFLOAT', 's', '1.5'), c('SET', 's', '3.0000000000000000001'),
      c('INCRBYFLOAT', 's', '0'), c('INCRBYFLOAT', 's', '1.00000000000000000005'), c('SET', 's', '0.000000000000000005'),
      c('INCRBYFLOAT', 's', '0'), c('SET', 's', '0.000000000000000015'), c('INCRBYFLOAT', 's', '0'), c('LPUSH', 'l', 'a'),
      c('INCRBYFLOAT', 'l', '1'), c('SET', 't', '1', 'EX', '100'), c('INCRBYFLOAT', 't', '1'), c('TTL', 't'), c('INCRBYFLOAT', 'x'),
      c('SET', 'u', '1e-4951'), c('INCRBYFLOAT', 'u', '0'), c('SET', 'u', '3.6451995318824746e-4951'), c('INCRBYFLOAT', 'u', '0'),
      c('INCRBYFLOAT', 'v', '1.18973149535723176502e+4932'), c('INCRBYFLOAT', 'w', '1.18973149535723176508e+4932'),
    ],
  };
}

function keyspaceScripts(): Record<string, Step[]> {
  return {
    'DEL UNLINK EXISTS TYPE': [
      c('MSET', 'a', '1', 'b', '2', 'c', '3'), c('DEL', 'a', 'b', 'zz'), c('EXISTS', 'a', 'b', 'c'), c('EXISTS', 'c', 'c', 'c'),
      c('UNLINK', 'c', 'c'), c('DEL'), c('EXISTS'), c('TYPE', 'a'), c('SET', 's', 'x'), c('HSET', 'h', 'f', 'v'), c('RPUSH', 'l', 'x'),
      c('TYPE', 's'), c('TYPE', 'h'), c('TYPE', 'l'), c('TYPE', 's', 'h'), c('DEL', 's', 'h', 'l'), c('DBSIZE'), c('DBSIZE', 'x'),
    ],
    'KEYS and glob patterns': [
      c('MSET', 'hello', '1', 'hallo', '1', 'hxllo', '1', 'hllo', '1', 'heeeello', '1', 'h[llo', '1', 'h*llo', '1', 'h?llo', '1'),
      c('MSET', 'a-z', '1', 'b', '1', '^x', '1', ']', '1', '\\', '1', 'ab\\', '1', '', 'empty', 'x\u00ffy', '1', 'x\u0080y', '1'),
      c('KEYS', '*'), c('KEYS', 'h?llo'), c('KEYS', 'h*llo'), c('KEYS', 'h[ae]llo'), c('KEYS', 'h[^e]llo'), c('KEYS', 'h[a-b]llo'),
      c('KEYS', 'h[b-a]llo'), c('KEYS', 'h\\*llo'), c('KEYS', 'h\\?llo'), c('KEYS', 'h\\[llo'), c('KEYS', 'h[\\[]llo'), c('KEYS', '[a'),
      c('KEYS', '[^a'), c('KEYS', '['), c('KEYS', '[]'), c('KEYS', ']'), c('KEYS', '\\'), c('KEYS', 'ab\\'), c('KEYS', 'ab\\\\'),
      c('KEYS', '[a-]'), c('KEYS', '[-z]'), c('KEYS', 'a-z'), c('KEYS', '[\\^]x'), c('KEYS', '^*'), c('KEYS', '**'), c('KEYS', '***llo'),
      c('KEYS', '?'), c('KEYS', ''), c('KEYS', 'h*l*o'), c('KEYS', '*[]'), c('KEYS', 'x[\u0080-\u00ff]y'), c('KEYS', 'x[a-\u00ff]y'),
      c('KEYS', 'x[\u00ff-a]y'), c('KEYS', 'x?y'), c('KEYS', 'h[a-'), c('KEYS', 'h[a-e'), c('KEYS', 'h[\\'), c('KEYS', 'h[^]llo'),
      c('KEYS', 'nomatch*'), c('KEYS'), c('KEYS', 'a', 'b'), c('SELECT', '1'), c('KEYS', '*'), c('SELECT', '0'),
    ],
    'SCAN': [
      c('SCAN', '0'), c('SCAN', 'abc'), c('SCAN', '0', 'COUNT', '0'), c('SCAN', '0', 'COUNT', '-1'), c('SCAN', '0', 'COUNT', 'x'),
      c('SCAN', '0', 'MATCH'), c('SCAN', '0', 'FOO', 'bar'), c('SCAN', '0', 'TYPE'), c('SCAN', '18446744073709551616'), c('SCAN', ' 1'),
      c('SCAN', '1 '), c('SCAN', '0x1'), c('SCAN'), c('MSET', 'a1', '1', 'a2', '2', 'b1', '3'), c('HSET', 'h1', 'f', 'v'),
      c('RPUSH', 'l1', 'x'), c('SET', 'gone', 'x', 'PXAT', '1'), scanAll(), scanAll('COUNT', '1'), scanAll('COUNT', '1000'),
      scanAll('MATCH', 'a*'), scanAll('MATCH', '?1', 'COUNT', '2'), scanAll('TYPE', 'string'), scanAll('TYPE', 'HASH'),
      scanAll('TYPE', 'list', 'MATCH', 'l*'), scanAll('TYPE', 'set'), scanAll('TYPE', 'nonsense'), scanAll('MATCH', '*'),
      scanAll('MATCH', 'a*', 'MATCH', 'b*'), scanAll('COUNT', '5', 'COUNT', '1'), c('SELECT', '2'), scanAll(), c('SELECT', '0'),
    ],
    'RENAME RENAMENX': [
      c('SET', 'a', '1', 'EX', '100'), c('RENAME', 'a', 'b'), c('EXISTS', 'a'), c('GET', 'b'), c('TTL', 'b'), c('RENAME', 'nope', 'x'),
      c('RENAMENX', 'nope', 'x'), c('RENAME', 'b', 'b'), c('RENAMENX', 'b', 'b'), c('RENAME', 'nope', 'nope'), c('SET', 'c', '2'),
      c('RENAMENX', 'b', 'c'), c('RENAMENX', 'b', 'd'), c('GET', 'd'), c('RENAME', 'd', 'c'), c('GET', 'c'), c('TTL', 'c'),
      c('HSET', 'h', 'f', 'v'), c('RENAME', 'h', 'c'), c('TYPE', 'c'), c('HGET', 'c', 'f'), c('RENAME', 'c'), c('DBSIZE'),
    ],
  };
}

function databaseScripts(): Record<string, Step[]> {
  return {
    'DBSIZE FLUSHDB FLUSHALL SELECT SWAPDB': [
      c('MSET', 'a', '1', 'b', '2'), c('DBSIZE'), c('SELECT', '1'), c('DBSIZE'), c('SET', 'c', '3'), c('SELECT', '16'), c('SELECT', '-1'),
      c('SELECT', 'x'), c('SELECT', '99999999999'), c('SELECT', '0'), c('SWAPDB', '0', '1'), c('KEYS', '*'), c('SWAPDB', '0', '0'),
      c('SWAPDB', '0', '16'), c('SWAPDB', '-1', '0'), c('SWAPDB', 'x', '0'), c('SWAPDB', '0', 'y'), c('SWAPDB', '99999999999', '0'),
      c('SWAPDB', '0'), c('SELECT', '1'), c('KEYS', '*'), c('FLUSHDB'), c('DBSIZE'), c('SELECT', '0'), c('DBSIZE'), c('FLUSHDB', 'ASYNC'),
      c('FLUSHDB', 'sync'), c('FLUSHDB', 'foo'), c('FLUSHDB', 'SYNC', 'ASYNC'), c('SET', 'x', '1'), c('SELECT', '5'), c('SET', 'y', '1'),
      c('FLUSHALL', 'ASYNC'), c('DBSIZE'), c('SELECT', '0'), c('DBSIZE'), c('FLUSHALL', 'bad'), c('FLUSHALL', 'SYNC'), c('FLUSHALL', 'a', 'b'),
    ],
    'MOVE COPY': [
      c('SET', 'k', 'v', 'EX', '100'), c('MOVE', 'k', '1'), c('EXISTS', 'k'), c('SELECT', '1'), c('GET', 'k'), c('TTL', 'k'),
      c('MOVE', 'k', '1'), c('MOVE', 'k', '16'), c('MOVE', 'k', '-1'), c('MOVE', 'k', 'x'), c('MOVE', 'k', '99999999999'),
      c('MOVE', 'nope', '0'), c('SET', 'dup', 'one'), c('SELECT', '0'), c('SET', 'dup', 'zero'), c('MOVE', 'dup', '1'), c('GET', 'dup'),
      c('COPY', 'dup', 'dup2'), c('GET', 'dup2'), c('COPY', 'dup', 'dup2'), c('COPY', 'dup', 'dup2', 'REPLACE'), c('COPY', 'dup', 'dup'),
      c('COPY', 'dup', 'dup', 'DB', '0'), c('COPY', 'dup', 'dup', 'DB', '1'), c('COPY', 'dup', 'dup', 'DB', '1', 'REPLACE'),
      c('SELECT', '1'), c('GET', 'dup'), c('SELECT', '0'), c('COPY', 'nope', 'x'), c('COPY', 'dup', 'x', 'DB', '16'),
      c('COPY', 'dup', 'x', 'DB', 'y'), c('COPY', 'dup', 'x', 'DB', '99999999999'), c('COPY', 'dup', 'x', 'DB'), c('COPY', 'dup', 'x', 'FOO'),
      c('COPY', 'dup', 'x', 'REPLACE', 'REPLACE'), c('COPY', 'dup'), c('SET', 't', 'v', 'EX', '100'), c('COPY', 't', 't2'), c('TTL', 't2'),
      c('HSET', 'h', 'a', '1', 'b', '2'), c('COPY', 'h', 'h2'), c('HSET', 'h2', 'a', 'changed'), c('HGETALL', 'h'), c('HGETALL', 'h2'),
      c('RPUSH', 'l', 'a', 'b'), c('COPY', 'l', 'l2'), c('RPUSH', 'l2', 'c'), c('LRANGE', 'l', '0', '-1'), c('LRANGE', 'l2', '0', '-1'),
      c('COPY', 'h', 'dup', 'REPLACE'), c('TYPE', 'dup'), c('MOVE', 'h', '3'), c('SELECT', '3'), c('HGETALL', 'h'), c('SELECT', '0'),
    ],
  };
}

function expiryScripts(t: Times): Record<string, Step[]> {
  const { futureS, futureMs } = t;
  return {
    'EXPIRE family': [
      c('SET', 'k', 'v'), c('EXPIRE', 'k', '100'), c('TTL', 'k'), c('PEXPIRE', 'k', '200000'), c('PTTL', 'k'), c('EXPIRE', 'nope', '10'),
      c('EXPIRE', 'k', '100', 'NX'), c('PERSIST', 'k'), c('PERSIST', 'k'), c('PERSIST', 'nope'), c('EXPIRE', 'k', '100', 'NX'),
      c('EXPIRE', 'k', '200', 'XX'), c('TTL', 'k'), c('EXPIRE', 'k', '100', 'GT'), c('EXPIRE', 'k', '300', 'GT'), c('TTL', 'k'),
      c('EXPIRE', 'k', '400', 'LT'), c('EXPIRE', 'k', '150', 'LT'), c('TTL', 'k'), c('PERSIST', 'k'), c('EXPIRE', 'k', '100', 'XX'),
      c('EXPIRE', 'k', '100', 'GT'), c('EXPIRE', 'k', '100', 'LT'), c('TTL', 'k'), c('EXPIRE', 'k', '101', 'XX', 'GT'), c('TTL', 'k'),
      c('EXPIRE', 'k', '100', 'NX', 'XX'), c('EXPIRE', 'k', '100', 'NX', 'GT'), c('EXPIRE', 'k', '100', 'NX', 'LT'),
      c('EXPIRE', 'k', '100', 'GT', 'LT'), c('EXPIRE', 'k', '100', 'FOO'), c('EXPIRE', 'k', 'abc', 'FOO'), c('EXPIRE', 'k', 'abc'),
      c('EXPIRE', 'k', '100', 'nx', 'nx'), c('EXPIRE', 'k', '9223372036854776'), c('EXPIRE', 'k', '-9223372036854776'),
      c('EXPIRE', 'k', '9223372036854775'), c('PEXPIRE', 'k', '9223372036854775807'), c('PEXPIREAT', 'k', '9223372036854775807'),
      c('PEXPIRETIME', 'k'), c('EXPIRETIME', 'k'), c('TTL', 'k'), c('EXPIREAT', 'k', '9223372036854775'), c('EXPIREAT', 'k', String(futureS)),
      c('EXPIRETIME', 'k'), c('PEXPIRETIME', 'k'), c('PEXPIREAT', 'k', String(futureMs)), c('PEXPIRETIME', 'k'), c('EXPIRETIME', 'k'),
      c('PEXPIREAT', 'k', '1999999999999'), c('EXPIRETIME', 'k'), c('PEXPIREAT', 'k', '1999999999499'), c('EXPIRETIME', 'k'),
      c('EXPIRE', 'k', '0'), c('EXISTS', 'k'), c('SET', 'k', 'v'), c('EXPIRE', 'k', '-10'), c('EXISTS', 'k'), c('SET', 'k', 'v'),
      c('PEXPIREAT', 'k', '1'), c('GET', 'k'), c('SET', 'k', 'v'), c('EXPIREAT', 'k', '-1'), c('GET', 'k'), c('SET', 'k', 'v', 'EX', '100'),
      c('EXPIRE', 'k', '-1', 'LT'), c('EXISTS', 'k'), c('SET', 'k', 'v', 'EX', '100'), c('EXPIRE', 'k', '-1', 'GT'), c('EXISTS', 'k'),
      c('TTL', 'nope'), c('PTTL', 'nope'), c('EXPIRETIME', 'nope'), c('PEXPIRETIME', 'nope'), c('SET', 'p', 'v'), c('TTL', 'p'),
      c('PTTL', 'p'), c('EXPIRETIME', 'p'), c('PEXPIRETIME', 'p'), c('EXPIRE', 'p'), c('TTL'), c('HSET', 'h', 'f', 'v'),
      c('EXPIRE', 'h', '100'), c('TTL', 'h'), c('SET', 'h', 'x'), c('TTL', 'h'), c('EXPIRE', 'h', '100', 'XX', 'LT'), c('TTL', 'h'),
    ],
  };
}

function collectionScripts(): Record<string, Step[]> {
  return {
    'hashes': [
      c('HSET', 'h', 'a', '1'), c('HSET', 'h', 'a', '2', 'b', '3'), c('HGET', 'h', 'a'), c('HGET', 'h', 'zz'), c('HGET', 'no', 'a'),
      c('HGETALL', 'h'), c('HGETALL', 'no'), c('HLEN', 'h'), c('HLEN', 'no'), c('HEXISTS', 'h', 'a'), c('HEXISTS', 'h', 'z'),
      c('HEXISTS', 'no', 'a'), c('HDEL', 'h', 'a', 'a', 'z'), c('HGETALL', 'h'), c('HDEL', 'h', 'b'), c('EXISTS', 'h'), c('HDEL', 'no', 'x'),
      c('HSET', 'h', 'a'), c('HSET', 'h', 'a', '1', 'b'), c('HSET', 'h'), c('HDEL', 'h'), c('HGET', 'h'), c('HINCRBY', 'h', 'n', '5'),
      c('HINCRBY', 'h', 'n', '-10'), c('HINCRBY', 'h', 'n', 'x'), c('HINCRBY', 'h', 'n', '9223372036854775807'), c('HINCRBY', 'h', 'n', '1.5'),
      c('HSET', 'h', 's', 'abc', 'm', '9223372036854775807', 'f', '1.5', 'z', '-0'), c('HINCRBY', 'h', 's', '1'), c('HINCRBY', 'h', 'm', '1'),
      c('HINCRBY', 'h', 'f', '1'), c('HINCRBY', 'h', 'z', '1'), c('HINCRBY', 'h', 'm', '-1'), c('HGETALL', 'h'), c('HINCRBY', 'h', 'x'),
      c('SET', 's', 'v'), c('HSET', 's', 'a', '1'), c('HGET', 's', 'a'), c('HGETALL', 's'), c('HLEN', 's'), c('HEXISTS', 's', 'a'),
      c('HDEL', 's', 'a'), c('HINCRBY', 's', 'a', '1'), c('HINCRBY', 'new', 'a', '1'), c('TYPE', 'new'), c('HSET', 'h', '', ''),
      c('HGET', 'h', ''), c('HSET', 't', 'a', '1'), c('EXPIRE', 't', '100'), c('HSET', 't', 'b', '2'), c('TTL', 't'),
    ],
    'lists': [
      c('LPUSH', 'l', 'a', 'b', 'c'), c('RPUSH', 'l', 'd', 'e'), c('LRANGE', 'l', '0', '-1'), c('LLEN', 'l'), c('LLEN', 'no'),
      c('LRANGE', 'l', '1', '2'), c('LRANGE', 'l', '-2', '-1'), c('LRANGE', 'l', '-100', '100'), c('LRANGE', 'l', '3', '1'),
      c('LRANGE', 'l', '10', '20'), c('LRANGE', 'l', '0', '-100'), c('LRANGE', 'l', 'x', '1'), c('LRANGE', 'l', '0', 'y'),
      c('LRANGE', 'no', '0', '-1'), c('LPOP', 'l'), c('RPOP', 'l'), c('LPOP', 'l', '2'), c('LRANGE', 'l', '0', '-1'), c('RPOP', 'l', '5'),
      c('EXISTS', 'l'), c('LPOP', 'l'), c('LPOP', 'l', '1'), c('RPOP', 'l', '0'), c('RPUSH', 'l', 'x'), c('LPOP', 'l', '0'), c('LPOP', 'l', '-1'),
      c('LPOP', 'l', 'x'), c('LPOP', 'l', '1', '2'), c('RPOP', 'l', '9223372036854775807'), c('EXISTS', 'l'), c('RPUSH', 'l', 'a', 'b', 'c'),
      c('RPOP', 'l', '2'), c('SET', 's', 'v'), c('LPUSH', 's', 'x'), c('RPUSH', 's', 'x'), c('LPOP', 's'), c('RPOP', 's', '1'),
      c('LPOP', 's', 'x'), c('LRANGE', 's', '0', '1'), c('LLEN', 's'), c('LPUSH', 'l'), c('LPOP'), c('LRANGE', 'l', '0'),
      c('RPUSH', 'b', Buffer.from([0, 1, 255]), ''), c('LRANGE', 'b', '0', '-1'),
    ],
  };
}

function protocolScripts(): Record<string, Step[]> {
  return {
    'unknown commands and arity': [
      c('FOO'), c('FOO', 'bar', 'baz'), c('GET'), c('GET', 'a', 'b'), c('SET', 'a'), c('MGET'), c('DEL'), c('SCAN'), c('DBSIZE', '1'),
      c('RANDOMKEY', 'x'), c('TYPE'), c('HGETALL'), c('LLEN', 'a', 'b'), c('get', 'a'), c('GeT', 'a'),
    ],
    'NUL bytes inside arguments (Redis reads options and cursors as C strings)': [
      c('SET', 'k', 'v'), c('SET', 'k', 'v', 'nx\u0000junk'), c('SET', 'k', 'v', 'XX\u0000', 'EX\u0000x', '100'), c('TTL', 'k'),
      c('EXPIRE', 'k', '200', 'gt\u0000'), c('EXPIRE', 'k', '100', 'zz\u0000ab'), c('SCAN', '0\u0000abc'), c('SCAN', '\u0000'),
      c('SCAN', ''), c('INCRBYFLOAT', 'f', '\u0000'), c('INCRBYFLOAT', 'f', '1\u0000'), c('INCRBY', 'f', '1\u0000'),
      c('SET', 'f', '1.5\u0000'), c('INCRBYFLOAT', 'f', '1'), c('FLUSHDB', 'sync\u0000x'), c('DBSIZE'),
    ],
    'RANDOMKEY': [c('RANDOMKEY'), c('SET', 'a', '1'), c('RANDOMKEY'), c('SET', 'b', '1', 'PXAT', '1'), c('DEL', 'a'), c('RANDOMKEY')],
  };
}

export function scripts(nowMs = Date.now()): Record<string, Step[]> {
  const t: Times = { futureS: Math.floor(nowMs / 1000) + 100_000, futureMs: nowMs + 100_000_000 };
  return {
    ...stringScripts(t),
    ...counterScripts(),
    ...keyspaceScripts(),
    ...databaseScripts(),
    ...expiryScripts(t),
    ...collectionScripts(),
    ...protocolScripts(),
  };
}
