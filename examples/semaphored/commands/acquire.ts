/** SEM.ACQUIRE and its alias SEM.WAIT: grant now, queue (block), or answer a retry by its ID. */
import type { Blocked } from '../../../lib/framework/app.js';
import { ReplyError, type Reply } from '../../../lib/resp/types.js';
import { optionValue, parseOptions, rangeArg, text, type OptionKinds } from '../args.js';
import { semErrors } from '../errors.js';
import { endedReply, findRecord, hasRoomForRecord, openRecord } from '../records.js';
import { isClientId, waitKey, type RequestRecord } from '../state.js';
import { abandonCommand, addHolder, enqueueWaiter, fits, grantReply, type SemMachine } from '../transitions.js';

const ACQUIRE_OPTIONS: OptionKinds = { PERMITS: 'value', TIMEOUT: 'value', LEASE: 'value', ID: 'value', NOWAIT: 'flag' };
const WAIT_OPTIONS: OptionKinds = { TIMEOUT: 'value', LEASE: 'value', ID: 'value', NOWAIT: 'flag' };

interface AcquireRequest {
  key: string;
  permits: number;
  /** 0 waits forever. */
  timeoutMs: number;
  /** null: the semaphore's DEFAULTLEASE. */
  leaseMs: number | null;
  /** Client request ID, or null. */
  rid: string | null;
  nowait: boolean;
}

/** SEM.ACQUIRE key [PERMITS n] [TIMEOUT ms] [LEASE ms] [ID rid] [NOWAIT] */
export function semAcquire(m: SemMachine, args: readonly Buffer[]): Reply | Blocked {
  const request = parseAcquire(m, args, ACQUIRE_OPTIONS);
  return request instanceof ReplyError ? request : acquire(m, request);
}

/** SEM.WAIT key [TIMEOUT ms] [LEASE ms] [ID rid] [NOWAIT]: ACQUIRE of one permit. */
export function semWait(m: SemMachine, args: readonly Buffer[]): Reply | Blocked {
  const request = parseAcquire(m, args, WAIT_OPTIONS);
  return request instanceof ReplyError ? request : acquire(m, request);
}

function parseAcquire(m: SemMachine, args: readonly Buffer[], kinds: OptionKinds): AcquireRequest | ReplyError {
  const limits = m.data.limits;
  const options = parseOptions(args, 2, kinds);
  if (options instanceof ReplyError) return options;
  if (options.has('NOWAIT') && options.has('TIMEOUT')) return semErrors.syntax();
  const request: AcquireRequest = { key: text(args[1] as Buffer), permits: 1, timeoutMs: 0, leaseMs: null, rid: null, nowait: options.has('NOWAIT') };
  const numbers = [
    ['PERMITS', 'permits', 1, limits.maxCapacity],
    ['TIMEOUT', 'timeoutMs', 0, limits.maxDurationMs],
    ['LEASE', 'leaseMs', 1, limits.maxDurationMs],
  ] as const;
  for (const [name, field, min, max] of numbers) {
    const arg = optionValue(options, name);
    if (arg === undefined) continue;
    const value = rangeArg(name, arg, min, max);
    if (value instanceof ReplyError) return value;
    request[field] = value;
  }
  const id = optionValue(options, 'ID');
  if (id !== undefined) {
    request.rid = text(id);
    if (id.length === 0 || id.length > limits.maxIdBytes || !isClientId(request.rid)) return semErrors.badId(limits.maxIdBytes);
  }
  return request;
}

function acquire(m: SemMachine, request: AcquireRequest): Reply | Blocked {
  const s = m.data;
  const { key, permits, rid } = request;
  const record = rid === null ? undefined : findRecord(s, key, rid);
  if (record !== undefined) return answerRetry(m, record);
  const sem = s.sems.get(key);
  if (sem === undefined) return semErrors.noSuchSemaphore(key);
  if (permits > sem.capacity) return semErrors.permitsOverCapacity(key, permits, sem.capacity);
  const leaseMs = request.leaseMs ?? sem.defaultLeaseMs;
  if (leaseMs > sem.maxLeaseMs) return semErrors.leaseOverMax(leaseMs, sem.maxLeaseMs);
  // Strict FIFO: while anyone waits, a newcomer queues behind them even if it would fit.
  const grantable = (sem.policy === 'firstfit' || sem.waiters.size === 0) && fits(s, sem, permits);
  if (!grantable && request.nowait) return null;
  if (!grantable && sem.waiters.size >= s.limits.maxWaitersPerKey) return semErrors.tooManyWaiters(key, s.limits.maxWaitersPerKey);
  if (rid !== null) {
    if (!hasRoomForRecord(s)) return semErrors.tooManyRequestIds(s.limits.maxRequestRecords);
    openRecord(s, key, rid, permits);
  }
  const requestId = rid ?? `#${s.nextSeq()}`;
  if (grantable) return grantReply(addHolder(m, sem, requestId, permits, leaseMs), m.now());
  enqueueWaiter(m, sem, requestId, permits, leaseMs, request.timeoutMs);
  return m.block(waitKey(key, requestId), abandonCommand(key, requestId));
}

/**
 * A request ID seen before: the original request's outcome, whatever this retry's other
 * arguments say. Waiting: re-attach to the same place in the queue. Granted: the same
 * grant. Timed out: null, as the original got. Otherwise: ENDED (never a second grant).
 */
function answerRetry(m: SemMachine, record: RequestRecord): Reply | Blocked {
  if (record.state === 'waiting') return m.block(waitKey(record.key, record.rid), abandonCommand(record.key, record.rid));
  if (record.state === 'granted') {
    const holder = m.data.sems.get(record.key)?.holders.get(record.fence as number);
    if (holder === undefined) throw new Error(`record ${record.rid} is granted but its holder is gone`);
    return grantReply(holder, m.now());
  }
  return endedReply(record);
}
