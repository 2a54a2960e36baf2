/**
 * Follower, learner and candidate behaviour: the receiving side of AppendEntries
 * (section 5.3), heartbeats, chunked snapshots (section 7) and vote counting (5.2).
 */
import { SnapshotAssembly } from './snapshot-transfer.js';
import type { PendingSnapshot } from './unstable.js';
import type { Raft } from './raft.js';
import type { Message } from './types.js';

const EMPTY = new Uint8Array(0);

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case 'app':
    case 'heartbeat':
    case 'snap':
      // Section 5.2: hearing from the leader resets the election timer.
      r.electionElapsed = 0;
      r.lead = m.from;
      if (m.type === 'app') handleAppend(r, m);
      else if (m.type === 'heartbeat') handleHeartbeat(r, m);
      else handleSnapshotChunk(r, m);
      return;
    case 'timeoutNow':
      // Leadership transfer: campaign now, skipping pre-vote and the leader lease.
      r.hup(true);
      return;
    case 'readIndexResp':
      r.readStates.push({ index: m.index ?? 0, ctx: m.context ?? EMPTY });
      return;
    default:
      return;
  }
}

export function stepCandidate(r: Raft, m: Message): void {
  switch (m.type) {
    case 'app':
    case 'heartbeat':
    case 'snap':
      // Section 5.2: a leader of our term exists; return to follower and handle it.
      r.becomeFollower(m.term, m.from);
      stepFollower(r, m);
      return;
    case 'voteResp':
    case 'preVoteResp': {
      const expected = r.role === 'candidate' ? 'voteResp' : 'preVoteResp';
      if (m.type !== expected) return;
      const result = r.poll(m.from, m.reject !== true);
      if (result === 'won') r.onElectionWon();
      else if (result === 'lost') r.becomeFollower(r.term, null);
      return;
    }
    default:
      return;
  }
}

function handleAppend(r: Raft, m: Message): void {
  const index = m.index ?? 0;
  const committed = r.log.committed;
  if (index < committed) {
    r.send(r.msg('appResp', m.from, { index: committed }));
    return;
  }
  const lastNew = r.log.maybeAppend(index, m.logTerm ?? 0, m.commit ?? 0, m.entries ?? []);
  if (lastNew >= 0) {
    r.send(r.msg('appResp', m.from, { index: lastNew }));
    return;
  }
  // Fast backtracking: tell the leader where our log could match, skipping whole terms.
  const hint = r.log.findConflictByTerm(Math.min(index, r.log.lastIndex()), m.logTerm ?? 0);
  r.send(r.msg('appResp', m.from, { index, reject: true, rejectHint: hint.index, logTerm: hint.term }));
}

function handleHeartbeat(r: Raft, m: Message): void {
  r.log.commitTo(m.commit ?? 0);
  const ctx = m.context;
  r.send(r.msg('heartbeatResp', m.from, ctx === undefined || ctx === null ? {} : { context: ctx }));
}

function handleSnapshotChunk(r: Raft, m: Message): void {
  const meta = m.snapshot;
  const chunk = m.chunk;
  if (meta === undefined || meta === null || chunk === undefined || chunk === null) return;
  if (meta.index <= r.log.committed) {
    // We already have everything it covers.
    r.assembly = null;
    r.send(r.msg('appResp', m.from, { index: r.log.committed }));
    return;
  }
  let a = r.assembly;
  if (chunk.offset === 0 && (a === null || !a.matches(m))) {
    a = r.assembly = new SnapshotAssembly(m.from, m.term, meta, chunk.totalBytes);
  }
  if (a === null || !a.matches(m)) {
    // We do not hold the start of this snapshot (restarted, or a new transfer): start over.
    r.send(r.msg('snapResp', m.from, { index: meta.index, rejectHint: 0, reject: true }));
    return;
  }
  if (chunk.offset !== a.received) {
    // A duplicate is acknowledged; a gap (a lost chunk) asks the sender to go back.
    const gap = chunk.offset > a.received;
    r.send(r.msg('snapResp', m.from, gap ? { index: meta.index, rejectHint: a.received, reject: true } : { index: meta.index, rejectHint: a.received }));
    return;
  }
  a.add(chunk.data);
  if (!a.complete()) {
    r.send(r.msg('snapResp', m.from, { index: meta.index, rejectHint: a.received }));
    return;
  }
  r.assembly = null;
  const installed = restoreSnapshot(r, { meta, data: a.data() });
  r.send(r.msg('appResp', m.from, { index: installed ? r.log.lastIndex() : r.log.committed }));
}

/** Section 7: a snapshot replaces the log unless the log already holds what it covers. */
function restoreSnapshot(r: Raft, snapshot: PendingSnapshot): boolean {
  const meta = snapshot.meta;
  if (meta.index <= r.log.committed) return false;
  if (r.log.matchTerm(meta.index, meta.term)) {
    // The snapshot describes a prefix of our log: keep the entries after it.
    r.log.commitTo(meta.index);
    return false;
  }
  r.log.restore(snapshot);
  r.membership.reset(meta.index, meta.conf);
  r.onConfChanged();
  return true;
}
