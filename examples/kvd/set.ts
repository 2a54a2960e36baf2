/**
 * SET and its relatives (SETNX SETEX PSETEX GETSET GETEX): the option grammar and the
 * expiry arithmetic of Redis 7's t_string.c, including which combinations are a syntax
 * error (an option may repeat; EX after PX may not) and when an expiry is invalid.
 */
import type { App } from '../../lib/framework/app.js';
import { OK, type Reply } from '../../lib/resp/types.js';
import { currentDb, asString, type Kv } from './access.js';
import { INT64_MAX, bulk, int64Arg, isToken, text } from './args.js';
import { kvdErrors } from './errors.js';
import { expireAt } from './expiry-heap.js';
import type { KvData } from './store.js';
import { a, expirationArg, keySpec, spec } from './spec.js';

const NX = 1 << 0;
const XX = 1 << 1;
const GET = 1 << 2;
const KEEPTTL = 1 << 3;
const PERSIST = 1 << 4;
const EX = 1 << 5;
const PX = 1 << 6;
const EXAT = 1 << 7;
const PXAT = 1 << 8;
const ANY_EXPIRY = EX | PX | EXAT | PXAT;

type Grammar = 'set' | 'getex';

interface OptionRule {
  readonly token: string;
  readonly flag: number;
  /** Flags that make this option a syntax error when already given. */
  readonly conflicts: number;
  readonly grammar: Grammar | 'both';
  readonly takesValue?: boolean;
}

const OPTIONS: readonly OptionRule[] = [
  { token: 'NX', flag: NX, conflicts: XX, grammar: 'set' },
  { token: 'XX', flag: XX, conflicts: NX, grammar: 'set' },
  { token: 'GET', flag: GET, conflicts: 0, grammar: 'set' },
  { token: 'KEEPTTL', flag: KEEPTTL, conflicts: PERSIST | ANY_EXPIRY, grammar: 'set' },
  { token: 'PERSIST', flag: PERSIST, conflicts: KEEPTTL | ANY_EXPIRY, grammar: 'getex' },
  { token: 'EX', flag: EX, conflicts: KEEPTTL | PERSIST | (ANY_EXPIRY & ~EX), grammar: 'both', takesValue: true },
  { token: 'PX', flag: PX, conflicts: KEEPTTL | PERSIST | (ANY_EXPIRY & ~PX), grammar: 'both', takesValue: true },
  { token: 'EXAT', flag: EXAT, conflicts: KEEPTTL | PERSIST | (ANY_EXPIRY & ~EXAT), grammar: 'both', takesValue: true },
  { token: 'PXAT', flag: PXAT, conflicts: KEEPTTL | PERSIST | (ANY_EXPIRY & ~PXAT), grammar: 'both', takesValue: true },
];

interface StringOptions {
  flags: number;
  /** The argument of EX/PX/EXAT/PXAT (the last one given wins, as in Redis). */
  expire?: Buffer;
}

function parseOptions(args: readonly Buffer[], from: number, grammar: Grammar): StringOptions {
  const options: StringOptions = { flags: 0 };
  for (let j = from; j < args.length; j++) {
    const arg = args[j] as Buffer;
    const next = args[j + 1];
    const rule = OPTIONS.find(
      (r) =>
        isToken(arg, r.token) &&
        (r.grammar === 'both' || r.grammar === grammar) &&
        (options.flags & r.conflicts) === 0 &&
        (r.takesValue !== true || next !== undefined),
    );
    if (rule === undefined) throw kvdErrors.syntax();
    options.flags |= rule.flag;
    if (rule.takesValue === true) {
      options.expire = next;
      j++;
    }
  }
  return options;
}

/** The absolute expiry in ms an EX/PX/EXAT/PXAT argument asks for, or invalidExpire. */
function expireMillis(arg: Buffer, flags: number, now: number, command: Buffer): bigint {
  let ms = int64Arg(arg);
  const seconds = (flags & (EX | EXAT)) !== 0;
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) throw kvdErrors.invalidExpire(text(command));
  if (seconds) ms *= 1000n;
  if ((flags & (EX | PX)) !== 0) ms += BigInt(now);
  // Redis adds in int64 and refuses a sum that wrapped around.
  if (ms > INT64_MAX) throw kvdErrors.invalidExpire(text(command));
  return ms;
}

interface SetRequest {
  readonly key: string;
  readonly value: Buffer;
  readonly options: StringOptions;
  /** Replies when the write happened / was refused by NX or XX (unless GET). */
  readonly ok: Reply;
  readonly aborted: Reply;
}

function setGeneric(m: Kv, args: readonly Buffer[], request: SetRequest): Reply {
  const { key, options } = request;
  const now = m.now();
  const when = options.expire !== undefined ? expireMillis(options.expire, options.flags, now, args[0] as Buffer) : undefined;
  const db = currentDb(m);
  const get = (options.flags & GET) !== 0;
  const old = get ? asString(db.touch(key, now)) : undefined;
  const found = db.touch(key, now) !== undefined;
  const oldReply = old === undefined ? null : bulk(old);
  if (((options.flags & NX) !== 0 && found) || ((options.flags & XX) !== 0 && !found)) {
    return get ? oldReply : request.aborted;
  }
  if ((options.flags & KEEPTTL) !== 0) db.put(key, text(request.value));
  else db.replace(key, text(request.value));
  if (when !== undefined) db.setExpire(key, expireAt(when));
  return get ? oldReply : request.ok;
}

function set(m: Kv, args: readonly Buffer[]): Reply {
  const options = parseOptions(args, 3, 'set');
  return setGeneric(m, args, { key: text(args[1] as Buffer), value: args[2] as Buffer, options, ok: OK, aborted: null });
}

function setnx(m: Kv, args: readonly Buffer[]): Reply {
  const options = { flags: NX };
  return setGeneric(m, args, { key: text(args[1] as Buffer), value: args[2] as Buffer, options, ok: 1, aborted: 0 });
}

function setWithExpiry(unit: number) {
  return (m: Kv, args: readonly Buffer[]): Reply => {
    const options = { flags: unit, expire: args[2] as Buffer };
    return setGeneric(m, args, { key: text(args[1] as Buffer), value: args[3] as Buffer, options, ok: OK, aborted: null });
  };
}

function getset(m: Kv, args: readonly Buffer[]): Reply {
  const options = { flags: GET };
  return setGeneric(m, args, { key: text(args[1] as Buffer), value: args[2] as Buffer, options, ok: OK, aborted: null });
}

function getex(m: Kv, args: readonly Buffer[]): Reply {
  const options = parseOptions(args, 2, 'getex');
  const key = text(args[1] as Buffer);
  const db = currentDb(m);
  const now = m.now();
  const value = asString(db.touch(key, now));
  if (value === undefined) return null;
  const when = options.expire !== undefined ? expireMillis(options.expire, options.flags, now, args[0] as Buffer) : undefined;
  if (when !== undefined && (options.flags & (EXAT | PXAT)) !== 0 && when <= BigInt(now)) db.remove(key);
  else if (when !== undefined) db.setExpire(key, expireAt(when));
  else if ((options.flags & PERSIST) !== 0) db.persist(key);
  return bulk(value);
}

export function registerSetCommands(app: App<KvData>): void {
  const keyValue = [a.key(), a.string('value')];
  app.addWriteCommand(
    'set',
    spec({
      arity: -3,
      flags: 'write denyoom',
      keys: [1, 1, 1],
      summary: 'Sets a key to a string value, with optional conditions (NX/XX), expiry, and the old value (GET).',
      since: '1.0.0',
      group: 'string',
      complexity: 'O(1)',
      args: [
        ...keyValue,
        a.oneof('condition', [a.token('NX'), a.token('XX')], { optional: true }),
        a.token('GET', { optional: true }),
        expirationArg('KEEPTTL'),
      ],
    }),
    set,
  );
  app.addWriteCommand('setnx', keySpec(3, 'write denyoom fast', 'string', '1.0.0', 'Sets a key only when it does not exist.', keyValue), setnx);
  app.addWriteCommand(
    'setex',
    keySpec(4, 'write denyoom', 'string', '2.0.0', 'Sets a key with an expiry in seconds.', [a.key(), a.integer('seconds'), a.string('value')]),
    setWithExpiry(EX),
  );
  app.addWriteCommand(
    'psetex',
    keySpec(4, 'write denyoom', 'string', '2.6.0', 'Sets a key with an expiry in milliseconds.', [a.key(), a.integer('milliseconds'), a.string('value')]),
    setWithExpiry(PX),
  );
  app.addWriteCommand('getset', keySpec(3, 'write denyoom fast', 'string', '1.0.0', 'Sets a key and returns its previous string value.', keyValue), getset);
  app.addWriteCommand(
    'getex',
    keySpec(-2, 'write fast', 'string', '6.2.0', 'Returns a string value and optionally changes or removes its expiry.', [a.key(), expirationArg('PERSIST')]),
    getex,
  );
}
