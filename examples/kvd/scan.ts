/**
 * SCAN over a database's dense slot array, from the top slot down.
 *
 * The guarantee Redis gives, and this keeps: a key present from the start to the end of a
 * full iteration is returned at least once. Why it holds: the cursor is "the slots below
 * this are still to visit". New keys are appended at the top (above the cursor: they may
 * or may not be returned, which is allowed). A delete moves the top key into the hole, so
 * keys only ever move to lower slots: an unvisited key (below the cursor) stays below it,
 * and a visited key that moves down may be returned twice, which is also allowed.
 *
 * The cursor is the slot count still to visit, so 0 ends the iteration as in Redis.
 */
import type { App } from '../../lib/framework/app.js';
import type { Reply } from '../../lib/resp/types.js';
import { currentDb, type Kv } from './access.js';
import { bulk, isToken, longArg, text } from './args.js';
import { kvdErrors } from './errors.js';
import { globMatch } from '../../lib/util/glob.js';
import { typeOf, type KvData } from './store.js';
import { a, spec } from './spec.js';

const ULONG_MAX = 2n ** 64n - 1n;
const DEFAULT_COUNT = 10;

/** Redis reads the cursor with strtoul: an optional sign, digits, nothing else; "" is 0. */
export function parseCursor(arg: Buffer): bigint {
  const raw = text(arg);
  const nul = raw.indexOf('\0');
  const s = nul < 0 ? raw : raw.slice(0, nul);
  if (s === '') return 0n;
  const match = /^([+-]?)(\d+)$/.exec(s);
  if (match === null) throw kvdErrors.invalidCursor();
  const value = BigInt(match[2] as string);
  if (value > ULONG_MAX) throw kvdErrors.invalidCursor();
  return match[1] === '-' && value !== 0n ? ULONG_MAX + 1n - value : value;
}

interface ScanOptions {
  count: number;
  pattern?: string;
  type?: string;
}

function scanOptions(args: readonly Buffer[]): ScanOptions {
  const options: ScanOptions = { count: DEFAULT_COUNT };
  for (let i = 2; i < args.length; i += 2) {
    const arg = args[i] as Buffer;
    const value = args[i + 1];
    if (value === undefined) throw kvdErrors.syntax();
    if (isToken(arg, 'COUNT')) {
      options.count = longArg(value);
      if (options.count < 1) throw kvdErrors.syntax();
    } else if (isToken(arg, 'MATCH')) {
      const pattern = text(value);
      if (pattern === '*') delete options.pattern;
      else options.pattern = pattern;
    } else if (isToken(arg, 'TYPE')) {
      options.type = text(value).toLowerCase();
    } else {
      throw kvdErrors.syntax();
    }
  }
  return options;
}

function scan(m: Kv, args: readonly Buffer[]): Reply {
  const cursor = parseCursor(args[1] as Buffer);
  const options = scanOptions(args);
  const db = currentDb(m);
  const now = m.now();
  let slot = cursor === 0n || cursor > BigInt(db.size) ? db.size : Number(cursor);
  const keys: Reply[] = [];
  for (let visited = 0; visited < options.count && slot > 0; visited++) {
    slot--;
    const key = db.keyAt(slot) as string;
    const value = db.valueAt(slot);
    if (value === undefined || !db.liveAt(slot, now)) continue;
    if (options.pattern !== undefined && !globMatch(options.pattern, key)) continue;
    if (options.type !== undefined && typeOf(value) !== options.type) continue;
    keys.push(bulk(key));
  }
  return [String(slot), keys];
}

export function registerScan(app: App<KvData>): void {
  app.addReadCommand(
    'scan',
    spec({
      arity: -2,
      flags: 'readonly',
      summary: 'Iterates over the keys of the database, a few per call, with a cursor.',
      since: '2.8.0',
      group: 'generic',
      complexity: 'O(1) per call; O(N) for a complete iteration',
      args: [
        a.integer('cursor'),
        a.pattern('pattern', { token: 'MATCH', optional: true }),
        a.integer('count', { token: 'COUNT', optional: true }),
        a.string('type', { token: 'TYPE', optional: true }),
      ],
    }),
    scan,
  );
}
