/**
 * Random command sequences (seeded, bounded) for the differential test. A handful of keys
 * so that commands collide, values that are sometimes numbers and sometimes not, options
 * that are sometimes wrong: the interesting cases come from the mix.
 *
 * Expiries are either far in the future or already past (EXPIRE/GETEX delete at once), so
 * nothing expires while a sequence runs; SET never sets a past expiry (Redis keeps such a
 * key until its background expiry, and DBSIZE would then depend on when that runs).
 * Deadlines are also far apart from each other (see Deadlines), so GT/LT never depend on
 * the microseconds between the two servers running the same command.
 */
import type { Rng } from '../../lib/util/rng.js';
import type { Step } from './differential.js';
import type { Arg } from './resp-client.js';

const KEYS = ['a', 'b', 'c', 'n', 'h', 'l', 'bin\u0000\u00ff', 'x:1'];
const VALUES = ['', 'v', 'hello', '0', '1', '10', '-5', '3.5', '1e3', '0x10', ' 1', '007', '9223372036854775807', '-9223372036854775808', 'a\u0000b', '\u00ff\u00fe'];
const INTEGERS = ['0', '1', '2', '-1', '3', '10', '-100', 'abc', '', '1.5', '9223372036854775807', '-9223372036854775808', '9223372036854775808'];
const FLOATS = ['0.1', '0.2', '-0.3', '1.5', '1e3', '-2.5e-3', '3', 'inf', '-inf', 'nan', 'abc', '1e308', '-1e308', '0x1p-2', '1e5000', '.5', ''];
const PATTERNS = ['*', 'a*', '?', '[ab]', '[^ab]*', 'x\\:1', 'bin*', 'h[a-z]', '*[', '\\'];
const TYPES = ['string', 'hash', 'list', 'set', 'STRING'];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

function some<T>(rng: Rng, items: readonly T[], max: number): T[] {
  return Array.from({ length: 1 + rng.int(max) }, () => pick(rng, items));
}

/**
 * Deadlines two servers must judge alike although each runs a command a little later than
 * the other: relative TTLs are distinct multiples of 10 s between 100,000 s and 190,000 s,
 * absolute ones are fixed times 200,000 s or more ahead (or in the past). Any two differ by
 * 10 s or more, far longer than a sequence runs, so comparisons between them (EXPIRE GT/LT
 * against the current TTL) come out the same on both servers.
 */
export class Deadlines {
  private readonly used = new Set<number>();

  constructor(
    private readonly rng: Rng,
    private readonly nowMs: number,
  ) {}

  /** A relative TTL: long, or zero/negative/invalid now and then. */
  relative(ms: boolean): string {
    if (!this.rng.chance(0.75)) return pick(this.rng, ['0', '-1', 'abc', '9223372036854775807']);
    let seconds: number;
    do seconds = 100_000 + 10 * this.rng.int(9_000);
    while (this.used.has(seconds));
    this.used.add(seconds);
    return String(ms ? seconds * 1000 : seconds);
  }

  absolute(ms: boolean, allowPast: boolean): string {
    const future = this.nowMs + 200_000_000 + 10_000 * this.rng.int(100_000);
    const t = allowPast && this.rng.chance(0.3) ? pick(this.rng, [1, this.nowMs - 100_000]) : future;
    return String(ms ? t : Math.floor(t / 1000));
  }
}

function setOptions(rng: Rng, d: Deadlines): Arg[] {
  const out: Arg[] = [];
  if (rng.chance(0.3)) out.push(pick(rng, ['NX', 'XX', 'nx']));
  if (rng.chance(0.2)) out.push('GET');
  const expiry = rng.int(8);
  if (expiry === 1) out.push('EX', d.relative(false));
  if (expiry === 2) out.push('PX', d.relative(true));
  if (expiry === 3) out.push('EXAT', d.absolute(false, false));
  if (expiry === 4) out.push('PXAT', d.absolute(true, false));
  if (expiry === 5) out.push('KEEPTTL');
  if (rng.chance(0.05)) out.push(pick(rng, ['EX', 'PERSIST', 'FOO', 'KEEPTTL']));
  return rng.chance(0.1) ? out.reverse() : out;
}

function expireFlags(rng: Rng): string[] {
  return rng.chance(0.6) ? [] : some(rng, ['NX', 'XX', 'GT', 'LT', 'gt', 'BAD'], 2);
}

type Generator = (rng: Rng, d: Deadlines) => Arg[];

const k = (rng: Rng) => pick(rng, KEYS);
const v = (rng: Rng) => pick(rng, VALUES);
const i = (rng: Rng) => pick(rng, INTEGERS);

const GENERATORS: readonly Generator[] = [
  (r, d) => ['SET', k(r), v(r), ...setOptions(r, d)],
  (r) => ['GET', k(r)],
  (r) => ['GET', k(r)],
  (r) => ['SETNX', k(r), v(r)],
  (r, d) => ['SETEX', k(r), d.relative(false), v(r)],
  (r, d) => ['PSETEX', k(r), d.relative(true), v(r)],
  (r) => ['GETSET', k(r), v(r)],
  (r) => ['GETDEL', k(r)],
  (r, d) => {
    const opt = r.int(6);
    const extra = [[], ['EX', d.relative(false)], ['PX', d.relative(true)], ['EXAT', d.absolute(false, true)], ['PXAT', d.absolute(true, true)], ['PERSIST']][opt] ?? [];
    return ['GETEX', k(r), ...extra];
  },
  (r) => ['MGET', ...some(r, KEYS, 4)],
  (r) => ['MSET', ...some(r, KEYS, 3).flatMap((key) => [key, v(r)])],
  (r) => ['MSETNX', ...some(r, KEYS, 3).flatMap((key) => [key, v(r)])],
  (r) => ['APPEND', k(r), v(r)],
  (r) => ['STRLEN', k(r)],
  (r) => ['GETRANGE', k(r), i(r), i(r)],
  (r) => ['SETRANGE', k(r), pick(r, ['0', '1', '5', '-1', 'x', '536870912']), v(r)],
  (r) => ['INCR', k(r)],
  (r) => ['DECR', k(r)],
  (r) => ['INCRBY', k(r), i(r)],
  (r) => ['DECRBY', k(r), i(r)],
  (r) => ['INCRBYFLOAT', k(r), pick(r, FLOATS)],
  (r) => ['DEL', ...some(r, KEYS, 3)],
  (r) => ['UNLINK', k(r)],
  (r) => ['EXISTS', ...some(r, KEYS, 3)],
  (r) => ['TYPE', k(r)],
  (r) => ['KEYS', pick(r, PATTERNS)],
  (r) => ['RENAME', k(r), k(r)],
  (r) => ['RENAMENX', k(r), k(r)],
  () => ['DBSIZE'],
  () => ['RANDOMKEY'],
  (r, d) => ['EXPIRE', k(r), d.relative(false), ...expireFlags(r)],
  (r, d) => ['PEXPIRE', k(r), d.relative(true), ...expireFlags(r)],
  (r, d) => ['EXPIREAT', k(r), d.absolute(false, true), ...expireFlags(r)],
  (r, d) => ['PEXPIREAT', k(r), d.absolute(true, true), ...expireFlags(r)],
  (r) => [pick(r, ['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']), k(r)],
  (r) => ['PERSIST', k(r)],
  (r) => ['SELECT', pick(r, ['0', '0', '1', '2', '16'])],
  (r) => ['MOVE', k(r), pick(r, ['0', '1', '2', '16', 'x'])],
  (r) => ['COPY', k(r), k(r), ...(r.chance(0.4) ? ['DB', pick(r, ['0', '1', '2', '16'])] : []), ...(r.chance(0.4) ? ['REPLACE'] : [])],
  (r) => ['SWAPDB', pick(r, ['0', '1', '2']), pick(r, ['0', '1', '2', '16'])],
  (r) => (r.chance(0.2) ? ['FLUSHDB'] : ['GET', k(r)]),
  (r) => ['HSET', pick(r, ['h', 'h', 'a']), ...some(r, ['f', 'g', 'n'], 2).flatMap((f) => [f, v(r)])],
  (r) => ['HGET', k(r), pick(r, ['f', 'g', 'n'])],
  (r) => ['HDEL', k(r), ...some(r, ['f', 'g', 'n'], 2)],
  (r) => ['HGETALL', k(r)],
  (r) => [pick(r, ['HLEN', 'LLEN']), k(r)],
  (r) => ['HEXISTS', k(r), pick(r, ['f', 'g'])],
  (r) => ['HINCRBY', pick(r, ['h', 'a']), pick(r, ['n', 'f']), i(r)],
  (r) => [pick(r, ['LPUSH', 'RPUSH']), pick(r, ['l', 'l', 'b']), ...some(r, VALUES, 3)],
  (r) => [pick(r, ['LPOP', 'RPOP']), k(r), ...(r.chance(0.5) ? [pick(r, ['0', '1', '2', '5', '-1'])] : [])],
  (r) => ['LRANGE', k(r), i(r), i(r)],
];

/** `count` random steps; a full SCAN iteration now and then. */
export function randomSteps(rng: Rng, count: number, nowMs = Date.now()): Step[] {
  const deadlines = new Deadlines(rng, nowMs);
  const steps: Step[] = [];
  for (let n = 0; n < count; n++) {
    if (rng.chance(0.03)) {
      const options: Arg[] = [];
      if (rng.chance(0.5)) options.push('MATCH', pick(rng, PATTERNS));
      if (rng.chance(0.5)) options.push('COUNT', pick(rng, ['1', '2', '100']));
      if (rng.chance(0.3)) options.push('TYPE', pick(rng, TYPES));
      steps.push({ scanAll: options });
    } else {
      steps.push({ args: pick(rng, GENERATORS)(rng, deadlines) });
    }
  }
  return steps;
}
