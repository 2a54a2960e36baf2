/** Read-only commands: SEM.CHECK, SEM.INFO, SEM.HOLDERS, SEM.WAITERS, SEM.SCAN, SEM.TIME. */
import type { Machine } from '../../../lib/framework/app.js';
import { ReplyError, type Reply } from '../../../lib/resp/types.js';
import { bytes, optionValue, parseInteger, parseOptions, text } from '../args.js';
import { semErrors } from '../errors.js';
import { globMatch } from '../../../lib/util/glob.js';
import type { SemState } from '../state.js';
import { available } from '../transitions.js';

type ReadMachine = Machine<SemState>;

/**
 * SEM.CHECK key fence: 1 while the grant is valid. Compares with replicated time itself,
 * so a lease that ran out since the last tick already reads as invalid.
 */
export function semCheck(m: ReadMachine, args: readonly Buffer[]): Reply {
  const fence = parseInteger(args[2] as Buffer);
  if (fence === null) return semErrors.notInteger();
  const holder = m.data.sems.get(text(args[1] as Buffer))?.holders.get(fence);
  return holder !== undefined && holder.expiresAt > m.now() ? 1 : 0;
}

/** SEM.INFO key: the configuration and usage as a map (RESP2: flat field/value array), or null. */
export function semInfo(m: ReadMachine, args: readonly Buffer[]): Reply {
  const sem = m.data.sems.get(text(args[1] as Buffer));
  if (sem === undefined) return null;
  return new Map<Reply, Reply>([
    ['capacity', sem.capacity],
    ['available', Math.max(0, available(sem))],
    ['held', sem.held],
    ['lock-delayed', sem.delayed],
    ['holders', sem.holders.size],
    ['waiters', sem.waiters.size],
    ['policy', sem.policy],
    ['default-lease-ms', sem.defaultLeaseMs],
    ['max-lease-ms', sem.maxLeaseMs],
    ['lock-delay-ms', sem.lockDelayMs],
  ]);
}

/** SEM.HOLDERS key: one map per grant, oldest first: fence, id, permits, remaining lease, time held. */
export function semHolders(m: ReadMachine, args: readonly Buffer[]): Reply {
  const sem = m.data.sems.get(text(args[1] as Buffer));
  if (sem === undefined) return [];
  const now = m.now();
  return [...sem.holders.values()].map(
    (h) =>
      new Map<Reply, Reply>([
        ['fence', h.fence],
        ['id', bytes(h.rid)],
        ['permits', h.permits],
        ['lease-ms', Math.max(0, h.expiresAt - now)],
        ['held-ms', now - h.grantedAt],
      ]),
  );
}

/**
 * SEM.WAITERS key: one map per queued acquire in queue order: id, position (1 = head),
 * permits, time waited, remaining wait (-1: waits forever).
 */
export function semWaiters(m: ReadMachine, args: readonly Buffer[]): Reply {
  const sem = m.data.sems.get(text(args[1] as Buffer));
  if (sem === undefined) return [];
  const now = m.now();
  return [...sem.waiters.values()].map(
    (w, index) =>
      new Map<Reply, Reply>([
        ['id', bytes(w.rid)],
        ['position', index + 1],
        ['permits', w.permits],
        ['waited-ms', now - w.enqueuedAt],
        ['timeout-ms', w.deadline === null ? -1 : Math.max(0, w.deadline - now)],
      ]),
  );
}

const SCAN_OPTIONS = { MATCH: 'value', COUNT: 'value' } as const;
const DEFAULT_SCAN_COUNT = 10;

/**
 * SEM.SCAN cursor [MATCH pattern] [COUNT n]: [next cursor, keys]. Keys sit in a dense
 * array where a delete moves the last key into the hole; the scan walks it from the end
 * down and the cursor is how many slots remain. A key moved by a delete comes from
 * above the cursor into a hole, or stays below it, so a key present for the whole
 * iteration is returned at least once (maybe twice), as Redis promises.
 */
export function semScan(m: ReadMachine, args: readonly Buffer[]): Reply {
  const cursor = parseInteger(args[1] as Buffer);
  if (cursor === null || cursor < 0) return semErrors.invalidCursor();
  const options = parseOptions(args, 2, SCAN_OPTIONS);
  if (options instanceof ReplyError) return options;
  const countArg = optionValue(options, 'COUNT');
  const count = countArg === undefined ? DEFAULT_SCAN_COUNT : parseInteger(countArg);
  if (count === null) return semErrors.notInteger();
  if (count < 1) return semErrors.syntax();
  const pattern = optionValue(options, 'MATCH');
  const match = pattern === undefined ? null : text(pattern);
  const order = m.data.order;
  let next = cursor === 0 ? order.length : Math.min(cursor, order.length);
  const keys: Reply[] = [];
  for (let visited = 0; visited < count && next > 0; visited++) {
    const key = order[--next] as string;
    if (match === null || globMatch(match, key)) keys.push(bytes(key));
  }
  return [String(next), keys];
}

/** SEM.TIME: the replicated time in ms since the Unix epoch, the clock leases are measured on. */
export function semTime(m: ReadMachine): Reply {
  return m.now();
}
