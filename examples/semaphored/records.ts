/**
 * Request-ID records: what a retry of an acquire with the same ID is told. A record lives
 * while its request waits or holds, then for `requestRetentionMs` after it ended; the
 * number of records is capped by `maxRequestRecords`.
 */
import type { Reply } from '../../lib/resp/types.js';
import { semErrors, type EndReason } from './errors.js';
import { isClientId, recordKey, type RecordState, type RequestRecord, type SemState } from './state.js';

export function findRecord(s: SemState, key: string, rid: string): RequestRecord | undefined {
  return s.records.get(recordKey(key, rid));
}

/** A record for a new request with a client ID, in state `waiting` until granted. */
export function openRecord(s: SemState, key: string, rid: string, permits: number): RequestRecord {
  const record: RequestRecord = { key, rid, permits, state: 'waiting', fence: null, endedAt: null, endSeq: null };
  s.records.set(recordKey(key, rid), record);
  return record;
}

export function hasRoomForRecord(s: SemState): boolean {
  return s.records.size < s.limits.maxRequestRecords;
}

/** Moves a live record to an end state and starts its retention clock. */
export function endRecord(s: SemState, record: RequestRecord, state: 'timedout' | EndReason, now: number): void {
  record.state = state;
  record.endedAt = now;
  record.endSeq = s.nextSeq();
  s.ended.push(record);
}

/** Ends the record of request `rid` if it is in `from` (and, for a grant, holds `fence`). */
export function endRecordOf(
  s: SemState,
  key: string,
  rid: string,
  from: 'waiting' | 'granted',
  fence: number | null,
  to: 'timedout' | EndReason,
  now: number,
): void {
  if (!isClientId(rid)) return;
  const record = findRecord(s, key, rid);
  if (record === undefined || record.state !== from || record.fence !== fence) return;
  endRecord(s, record, to, now);
}

/**
 * Remembers that a request was cancelled before it arrived (say an acquire still in
 * flight behind its own cancel), so the late acquire is answered "cancelled" instead of
 * queueing an orphan. Skipped when the record table is full: the cancel still succeeds.
 */
export function recordEarlyCancel(s: SemState, key: string, rid: string, now: number): void {
  if (rid.length === 0 || rid.length > s.limits.maxIdBytes || !isClientId(rid)) return;
  if (findRecord(s, key, rid) !== undefined || !hasRoomForRecord(s)) return;
  endRecord(s, openRecord(s, key, rid, 0), 'cancelled', now);
}

/** Forgets ended records whose retention is over. O(number forgotten). */
export function pruneRecords(s: SemState, now: number): void {
  const retention = s.limits.requestRetentionMs;
  for (let record = s.ended.peek(); record !== undefined; record = s.ended.peek()) {
    if ((record.endedAt as number) + retention > now) break;
    s.ended.shift();
    const id = recordKey(record.key, record.rid);
    if (s.records.get(id) === record) s.records.delete(id);
  }
}

/** The reply for a retry of a request that ended; a live request is the caller's job. */
export function endedReply(record: RequestRecord): Reply {
  const state: RecordState = record.state;
  if (state === 'waiting' || state === 'granted') throw new Error(`record ${record.rid} is live`);
  return state === 'timedout' ? null : semErrors.ended(record.rid, state);
}
