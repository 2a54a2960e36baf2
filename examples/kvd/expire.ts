/**
 * Expiry on replicated time: EXPIRE PEXPIRE EXPIREAT PEXPIREAT (NX XX GT LT), TTL PTTL
 * EXPIRETIME PEXPIRETIME PERSIST, and active expiry for the app's tick.
 *
 * Time is always Machine.now(), identical on every replica; the wall clock is never read.
 */
import type { App } from '../../lib/framework/app.js';
import type { Reply } from '../../lib/resp/types.js';
import { currentDb, type Kv } from './access.js';
import { INT64_MAX, INT64_MIN, int64Arg, isToken, text } from './args.js';
import { kvdErrors } from './errors.js';
import { expireAt } from './expiry-heap.js';
import type { KvData } from './store.js';
import { a, keySpec } from './spec.js';

const NX = 1;
const XX = 2;
const GT = 4;
const LT = 8;
const FLAG_TOKENS: readonly (readonly [string, number])[] = [
  ['NX', NX],
  ['XX', XX],
  ['GT', GT],
  ['LT', LT],
];

/** Redis's parseExtendedExpireArgumentsOrReply: options are read before the time. */
function expireFlags(args: readonly Buffer[]): number {
  let flags = 0;
  for (let j = 3; j < args.length; j++) {
    const arg = args[j] as Buffer;
    const flag = FLAG_TOKENS.find(([token]) => isToken(arg, token))?.[1];
    if (flag === undefined) {
      const option = text(arg);
      const nul = option.indexOf('\0');
      throw kvdErrors.unsupportedOption(nul < 0 ? option : option.slice(0, nul));
    }
    flags |= flag;
  }
  if ((flags & NX) !== 0 && (flags & (XX | GT | LT)) !== 0) throw kvdErrors.expireFlagsNxXx();
  if ((flags & GT) !== 0 && (flags & LT) !== 0) throw kvdErrors.expireFlagsGtLt();
  return flags;
}

/** Whether the NX/XX/GT/LT conditions allow replacing `current` (undefined = no TTL) by `when`. */
function conditionsAllow(flags: number, current: bigint | undefined, when: bigint): boolean {
  if ((flags & NX) !== 0 && current !== undefined) return false;
  if ((flags & XX) !== 0 && current === undefined) return false;
  // No TTL counts as infinite: GT never beats it, LT always does.
  if ((flags & GT) !== 0 && (current === undefined || when <= current)) return false;
  if ((flags & LT) !== 0 && current !== undefined && when >= current) return false;
  return true;
}

type Unit = 'seconds' | 'milliseconds';

function expireGeneric(m: Kv, args: readonly Buffer[], unit: Unit, relative: boolean): Reply {
  const flags = expireFlags(args);
  let when = int64Arg(args[2] as Buffer);
  const now = BigInt(m.now());
  const invalid = () => kvdErrors.invalidExpire(text(args[0] as Buffer));
  if (unit === 'seconds') {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) throw invalid();
    when *= 1000n;
  }
  const base = relative ? now : 0n;
  if (when > INT64_MAX - base) throw invalid();
  when += base;
  const key = text(args[1] as Buffer);
  const db = currentDb(m);
  if (db.touch(key, m.now()) === undefined) return 0;
  const ttl = db.ttl(key);
  if (!conditionsAllow(flags, ttl === undefined ? undefined : BigInt(ttl), when)) return 0;
  if (when <= now) db.remove(key);
  else db.setExpire(key, expireAt(when));
  return 1;
}

/** TTL and friends: -2 when missing, -1 without a TTL, else the (remaining or absolute) time. */
function ttlGeneric(m: Kv, args: readonly Buffer[], unit: Unit, absolute: boolean): Reply {
  const key = text(args[1] as Buffer);
  const db = currentDb(m);
  const now = m.now();
  if (db.peek(key, now) === undefined) return -2;
  const at = db.ttl(key);
  if (at === undefined) return -1;
  let ms = absolute ? BigInt(at) : BigInt(at) - BigInt(now);
  if (ms < 0n) ms = 0n;
  const out = unit === 'milliseconds' ? ms : (ms + 500n) / 1000n;
  return Number.isSafeInteger(Number(out)) ? Number(out) : out;
}

function persist(m: Kv, args: readonly Buffer[]): Reply {
  const key = text(args[1] as Buffer);
  const db = currentDb(m);
  if (db.touch(key, m.now()) === undefined) return 0;
  return db.persist(key) ? 1 : 0;
}

/** Active expiry reclaims at least this many due keys per tick... */
const EXPIRE_BASE_PER_TICK = 100;
/** ...plus this many per ms of replicated time since the last tick... */
const EXPIRE_PER_MS = 20;
/** ...and never more than this, so one tick stays around a millisecond or two. */
const EXPIRE_MAX_PER_TICK = 2000;

/**
 * The app's tick: deletes keys whose time has passed, earliest first, within a budget that
 * grows with the time elapsed. Deterministic (same data and time give the same deletions),
 * so every replica keeps the same key layout. Keys not yet reclaimed are already invisible.
 */
export function activeExpire(m: Kv): void {
  const now = m.now();
  const data = m.data;
  const elapsed = Math.max(0, now - data.lastTickMs);
  data.lastTickMs = now;
  let budget = Math.min(EXPIRE_MAX_PER_TICK, EXPIRE_BASE_PER_TICK + elapsed * EXPIRE_PER_MS);
  for (const db of data.dbs) {
    if (budget <= 0) break;
    budget -= db.expireDue(now, budget);
  }
}

export function registerExpireCommands(app: App<KvData>): void {
  const condition = a.oneof('condition', [a.token('NX'), a.token('XX'), a.token('GT'), a.token('LT')], { optional: true });
  const setter = (name: string, since: string, summary: string, time: ReturnType<typeof a.integer>, unit: Unit, relative: boolean) =>
    app.addWriteCommand(name, keySpec(-3, 'write fast', 'generic', since, summary, [a.key(), time, condition]), (m, args) =>
      expireGeneric(m, args, unit, relative),
    );
  setter('expire', '1.0.0', 'Sets a key to expire after a number of seconds.', a.integer('seconds'), 'seconds', true);
  setter('pexpire', '2.6.0', 'Sets a key to expire after a number of milliseconds.', a.integer('milliseconds'), 'milliseconds', true);
  setter('expireat', '1.2.0', 'Sets a key to expire at a Unix time in seconds.', a.unixTime('unix-time-seconds'), 'seconds', false);
  setter('pexpireat', '2.6.0', 'Sets a key to expire at a Unix time in milliseconds.', a.unixTime('unix-time-milliseconds'), 'milliseconds', false);
  const getter = (name: string, since: string, summary: string, unit: Unit, absolute: boolean) =>
    app.addReadCommand(name, keySpec(2, 'readonly fast', 'generic', since, summary), (m, args) => ttlGeneric(m, args, unit, absolute));
  getter('ttl', '1.0.0', 'Returns the seconds left before a key expires (-1 without expiry, -2 when missing).', 'seconds', false);
  getter('pttl', '2.6.0', 'Returns the milliseconds left before a key expires (-1 without expiry, -2 when missing).', 'milliseconds', false);
  getter('expiretime', '7.0.0', 'Returns the Unix time in seconds at which a key expires (-1, -2 as TTL).', 'seconds', true);
  getter('pexpiretime', '7.0.0', 'Returns the Unix time in milliseconds at which a key expires (-1, -2 as TTL).', 'milliseconds', true);
  app.addWriteCommand('persist', keySpec(2, 'write fast', 'generic', '2.2.0', 'Removes the expiry of a key.'), persist);
}
