/**
 * The semaphore workload's rules (record format in semaphore-records.ts):
 * 1. over-capacity: fence-checked critical sections (CHECK said 1 on entering and on
 *    leaving, so the grant was valid throughout) never hold more than capacity permits.
 * 2. fences: unique per key, and strictly increasing in grant order wherever real time
 *    orders two grants (one was reported before the other's first attempt began).
 * 3. resolution: every request ends exactly once: granted one fence | timed out |
 *    cancelled; never two of these, never two fences, never no answer at all.
 * 4. deadlines: no grant later than invoke + TIMEOUT (+ slack), no time-out before it.
 *    Judged only on a request's first attempt, when that attempt got the answer: after a
 *    lost reply the grant may have happened at any time, so there is nothing to judge.
 * 5. FIFO (unless FIRSTFIT): a request invoked clearly before another is granted first.
 * 6. a released fence no longer CHECKs valid.
 * Timing rules (4, 5) assume a reply arrives within slackMs of the server's decision; the
 * runner passes the periods where that cannot hold (a paused leader) as `excuse`.
 */
import { opsByKey, type OpRecord } from '../history.js';
import {
  capacitiesOf, fenceOf, grantsOf, holdsOf, requestsOf, type Attempt, type Hold, type Request,
} from './semaphore-records.js';
import { anomaly, anomalyCounts, limitPerType, type Anomaly, type CheckResult } from './verdict.js';

export interface SemaphoreOptions {
  /** Capacity per key (or for all keys); default: the largest SEM.CREATE in the history. */
  capacity?: number | Readonly<Record<string, number>>;
  /** Check FIFO grant order. Default true (the server's default policy). */
  fifo?: boolean;
  /** Allowed gap between the server's decision and the client seeing it. Default 250 ms. */
  slackMs?: number;
  /** Assumed longest time from invoking an acquire to being queued. Default 50 ms. */
  fifoSlackMs?: number;
  /** Periods in which timing rules are not judged (pauses, partitions...). */
  excuse?: readonly { startMs: number; endMs: number }[];
  /** Count requests with no answer at all instead of flagging them. Default false. */
  allowUnresolved?: boolean;
  /** Anomalies listed per rule (all are counted). Default 10. */
  maxListed?: number;
}

/** A request's grant, with the times that bound when it happened. */
interface GrantInfo {
  request: Request;
  fence: number;
  permits: number;
  /** No grant can precede the request's first attempt. */
  firstInvokeMs: number;
  /** The grant happened no later than the first reply reporting it. */
  reportedMs: number;
  reportedBy: OpRecord;
}

type Stats = {
  requests: number; granted: number; timedOut: number; cancelled: number; unresolved: number;
  holds: number; holdsChecked: number; deadlineJudged: number; anomalies: number;
};

export function checkSemaphore(ops: readonly OpRecord[], options: SemaphoreOptions = {}): CheckResult {
  const stats: Stats = { requests: 0, granted: 0, timedOut: 0, cancelled: 0, unresolved: 0, holds: 0, holdsChecked: 0, deadlineJudged: 0, anomalies: 0 };
  const created = capacitiesOf(ops);
  const found: Anomaly[] = [];
  for (const [key, keyOps] of opsByKey(ops)) {
    const requests = requestsOf(keyOps);
    const grants = requests.flatMap(grantInfos);
    const capacity = capacityFor(key, options.capacity, created);
    found.push(...requests.flatMap((r) => checkResolution(r, stats, options.allowUnresolved ?? false)));
    found.push(...checkFencesUnique(key, grants), ...checkFenceOrder(key, grants));
    found.push(...checkCapacity(key, holdsOf(keyOps), capacity, grants, stats));
    found.push(...requests.flatMap((r) => checkDeadlines(r, options, stats)));
    if (options.fifo ?? true) found.push(...checkFifo(key, grants, options));
    found.push(...checkReleasedInvalid(key, keyOps));
    stats.requests += requests.length;
  }
  stats.anomalies = found.length;
  const valid = found.length === 0;
  const summary = valid
    ? `semaphore rules hold: ${stats.requests} requests (${stats.granted} granted, ${stats.timedOut} timed out, ${stats.cancelled} cancelled), ${stats.holdsChecked} fence-checked critical sections`
    : `semaphore anomalies: ${anomalyCounts(found)}`;
  return { checker: 'semaphore', valid, summary, anomalies: limitPerType(found, options.maxListed ?? 10), stats };
}

function capacityFor(key: string, option: SemaphoreOptions['capacity'], created: ReadonlyMap<string, number>): number {
  const given = typeof option === 'number' ? option : option?.[key];
  const capacity = given ?? created.get(key);
  if (capacity === undefined) throw new Error(`semaphore checker: no capacity for key ${key}: pass options.capacity or record its SEM.CREATE`);
  return capacity;
}

function grantInfos(request: Request): GrantInfo[] {
  const firstInvokeMs = request.attempts.reduce((min, a) => Math.min(min, a.op.invokeMs), Infinity);
  return [...grantsOf(request)].map(([fence, { grant, attempts }]) => {
    const first = attempts.reduce((a, b) => (b.op.completeMs < a.op.completeMs ? b : a));
    return { request, fence, permits: grant.permits, firstInvokeMs, reportedMs: first.op.completeMs, reportedBy: first.op };
  });
}

function allOps(request: Request): OpRecord[] {
  return [...request.attempts.map((a) => a.op), ...request.cancels];
}

/** How a request ended, from every answer any of its attempts (or cancels) got. */
function endingsOf(request: Request): { fences: number[]; granted: boolean; timedOut: boolean; cancelled: boolean; answered: boolean } {
  const fences = new Set<number>();
  let grantedLater = false; // told "ENDED: released / expired / revoked": it had been granted
  let timedOut = false;
  let cancelled = request.cancels.length > 0;
  let answered = cancelled;
  for (const { answer } of request.attempts) {
    if (!answer) continue;
    answered = true;
    if ('granted' in answer) fences.add(answer.granted.fence);
    else if ('timedOut' in answer) timedOut = true;
    else if (answer.ended === 'cancelled') cancelled = true;
    else if (answer.ended !== 'deleted' && answer.ended !== 'shrunk') grantedLater = true;
  }
  return { fences: [...fences], granted: fences.size > 0 || grantedLater, timedOut, cancelled, answered };
}

/** Exactly one of: granted (one fence), timed out, cancelled. */
function checkResolution(request: Request, stats: Stats, allowUnresolved: boolean): Anomaly[] {
  const { fences, granted, timedOut, cancelled, answered } = endingsOf(request);
  if (granted) stats.granted++;
  if (timedOut) stats.timedOut++;
  if (cancelled) stats.cancelled++;
  const { key, rid } = request;
  const ops = allOps(request);
  if (fences.length > 1) return [anomaly('granted-twice', key, `request ${rid} was granted fences ${fences.join(' and ')}`, ops)];
  const endings = [granted ? 'granted' : '', timedOut ? 'timed out' : '', cancelled ? 'cancelled' : ''].filter((e) => e !== '');
  if (endings.length > 1) return [anomaly('resolved-twice', key, `request ${rid} was ${endings.join(' and ')}`, ops)];
  if (answered) return [];
  stats.unresolved++;
  return allowUnresolved ? [] : [anomaly('unresolved', key, `request ${rid} never got an answer (a lost waiter?)`, ops)];
}

function checkFencesUnique(key: string, grants: readonly GrantInfo[]): Anomaly[] {
  const owner = new Map<number, GrantInfo>();
  const found: Anomaly[] = [];
  for (const g of grants) {
    const other = owner.get(g.fence);
    if (other && other.request !== g.request) {
      found.push(anomaly('fence-reused', key, `fence ${g.fence} granted to both ${other.request.rid} and ${g.request.rid}`, [other.reportedBy, g.reportedBy]));
    }
    owner.set(g.fence, g);
  }
  return found;
}

/** If A was reported before B's first attempt began, A was granted first: fence(A) < fence(B). */
function checkFenceOrder(key: string, grants: readonly GrantInfo[]): Anomaly[] {
  const byReport = [...grants].sort((a, b) => a.reportedMs - b.reportedMs);
  const byStart = [...grants].sort((a, b) => a.firstInvokeMs - b.firstInvokeMs);
  const found: Anomaly[] = [];
  let highest: GrantInfo | undefined;
  let next = 0;
  for (const g of byStart) {
    while (next < byReport.length && (byReport[next] as GrantInfo).reportedMs < g.firstInvokeMs) {
      const earlier = byReport[next++] as GrantInfo;
      if (!highest || earlier.fence > highest.fence) highest = earlier;
    }
    if (highest && g.fence <= highest.fence) {
      const message = `fence ${g.fence} (${g.request.rid}) granted after fence ${highest.fence} (${highest.request.rid}) was reported`;
      found.push(anomaly('fence-not-increasing', key, message, [highest.reportedBy, g.reportedBy]));
    }
  }
  return found;
}

/** Sweeps fence-checked holds in time; the sum of permits held must stay <= capacity. */
function checkCapacity(key: string, holds: readonly Hold[], capacity: number, grants: readonly GrantInfo[], stats: Stats): Anomaly[] {
  const permitsOf = new Map(grants.map((g) => [g.fence, g.permits]));
  const checked = holds.filter((h) => h.validBefore && h.validAfter);
  stats.holds += holds.length;
  stats.holdsChecked += checked.length;
  // Leaving sorts before entering at the same instant: touching sections do not overlap.
  const events = checked.flatMap((h) => [
    { at: h.op.invokeMs, enter: true, hold: h },
    { at: h.op.completeMs, enter: false, hold: h },
  ]);
  events.sort((a, b) => a.at - b.at || Number(a.enter) - Number(b.enter));
  const inside = new Set<Hold>();
  let held = 0;
  const found: Anomaly[] = [];
  for (const { enter, hold } of events) {
    const permits = hold.permits ?? permitsOf.get(hold.fence) ?? 1;
    if (!enter) {
      inside.delete(hold);
      held -= permits;
      continue;
    }
    inside.add(hold);
    held += permits;
    if (held > capacity) {
      const fences = [...inside].map((h) => h.fence).join(', ');
      found.push(anomaly('over-capacity', key, `${held} permits held at once (capacity ${capacity}) by valid fences ${fences}`, [...inside].map((h) => h.op)));
    }
  }
  return found;
}

function excused(options: SemaphoreOptions, fromMs: number, toMs: number): boolean {
  return (options.excuse ?? []).some((p) => p.startMs <= toMs && p.endMs >= fromMs);
}

/** A grant after the deadline, or a time-out before it, on a request's first attempt. */
function checkDeadlines(request: Request, options: SemaphoreOptions, stats: Stats): Anomaly[] {
  const first = request.attempts[0] as Attempt; // requestsOf only returns requests with attempts
  const answer = first.answer;
  if (!answer || 'ended' in answer) return [];
  if (first.timeoutMs === 0 && !first.nowait) return []; // TIMEOUT 0 waits forever
  const slack = options.slackMs ?? 250;
  const deadline = first.op.invokeMs + (first.nowait ? 0 : first.timeoutMs);
  const replied = first.op.completeMs;
  stats.deadlineJudged++;
  if ('granted' in answer && replied > deadline + slack && !excused(options, deadline, replied)) {
    const late = (replied - deadline).toFixed(0);
    return [anomaly('late-grant', request.key, `request ${request.rid} granted ${late} ms after its deadline (slack ${slack} ms)`, [first.op])];
  }
  if ('timedOut' in answer && !first.nowait && replied < deadline - slack && !excused(options, first.op.invokeMs, deadline)) {
    const early = (deadline - replied).toFixed(0);
    return [anomaly('early-timeout', request.key, `request ${request.rid} timed out ${early} ms before its deadline (slack ${slack} ms)`, [first.op])];
  }
  return [];
}

/**
 * Strict FIFO: a request invoked more than fifoSlackMs before another (so queued first)
 * must get the smaller fence when both are granted. Only single-attempt requests: a retry
 * may have lost its place legitimately (e.g. it was cancelled in between).
 */
function checkFifo(key: string, grants: readonly GrantInfo[], options: SemaphoreOptions): Anomaly[] {
  const slack = options.fifoSlackMs ?? 50;
  const single = grants.filter((g) => g.request.attempts.length === 1 && g.request.cancels.length === 0);
  const byStart = [...single].sort((a, b) => a.firstInvokeMs - b.firstInvokeMs);
  const found: Anomaly[] = [];
  let highest: GrantInfo | undefined;
  let next = 0;
  for (const g of byStart) {
    while (next < byStart.length && (byStart[next] as GrantInfo).firstInvokeMs + slack < g.firstInvokeMs) {
      const earlier = byStart[next++] as GrantInfo;
      if (!highest || earlier.fence > highest.fence) highest = earlier;
    }
    if (highest && highest.fence > g.fence && !excused(options, highest.firstInvokeMs, g.firstInvokeMs)) {
      const message = `${g.request.rid} (fence ${g.fence}) was granted before ${highest.request.rid} (fence ${highest.fence}), which queued first`;
      found.push(anomaly('fifo-violation', key, message, [highest.reportedBy, g.reportedBy]));
    }
  }
  return found;
}

/** A CHECK invoked after a RELEASE of the same fence was acknowledged must say 0. */
function checkReleasedInvalid(key: string, keyOps: readonly OpRecord[]): Anomaly[] {
  const releasedAt = new Map<number, OpRecord>();
  for (const op of keyOps) {
    if (op.f !== 'release' || op.outcome !== 'ok') continue;
    const fence = fenceOf(op);
    const known = releasedAt.get(fence);
    if (!known || op.completeMs < known.completeMs) releasedAt.set(fence, op);
  }
  return keyOps.flatMap((op) => {
    if (op.f !== 'check' || op.outcome !== 'ok' || Number(op.result) !== 1) return [];
    const release = releasedAt.get(fenceOf(op));
    if (!release || release.completeMs >= op.invokeMs) return [];
    return [anomaly('valid-after-release', key, `fence ${fenceOf(op)} still CHECKs valid after its release was acknowledged`, [release, op])];
  });
}
