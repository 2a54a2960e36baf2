/**
 * Leader behaviour: replication (probe / replicate / snapshot per follower), commit by
 * counting (section 5.3 and 5.4.2), batched ReadIndex, leadership transfer, proposals.
 *
 * Sends are batched: handlers mark `needBroadcast` and flushLeader(), run by ready(),
 * sends what each follower can take, so many proposals or acks between two ready()
 * calls cost one append message per follower.
 */
import { validateChange } from './membership.js';
import { majorityValue } from './quorum.js';
import { decodeRound, encodeRound, type PendingRead, type ReadRequest } from './read-index.js';
import { SnapshotSend } from './snapshot-transfer.js';
import { encodeConfChange } from './conf-change-codec.js';
import type { Progress } from './progress.js';
import type { Raft } from './raft.js';
import { EntryKind, type ConfChange, type Entry, type Message, type NodeId, type ProposeResult } from './types.js';
import { assert } from '../../util/assert.js';

const EMPTY = new Uint8Array(0);

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case 'appResp':
      handleAppendResponse(r, m);
      return;
    case 'heartbeatResp':
      handleHeartbeatResponse(r, m);
      return;
    case 'snapResp':
      handleSnapshotResponse(r, m);
      return;
    case 'readIndex':
      handleReadRequest(r, { ctx: m.context ?? EMPTY, from: m.from });
      return;
    case 'transferLeader':
      // The sender asks to become the leader.
      transferLeadership(r, m.from);
      return;
    default:
      return;
  }
}

function handleAppendResponse(r: Raft, m: Message): void {
  const pr = r.progress.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  const index = m.index ?? 0;
  if (m.reject === true) {
    let next = m.rejectHint ?? 0;
    const hintTerm = m.logTerm ?? 0;
    if (hintTerm > 0) next = r.log.findConflictByTerm(next, hintTerm).index;
    if (pr.maybeDecrTo(index, next)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      maybeSendAppend(r, m.from, true);
    }
    return;
  }
  if (!pr.maybeUpdate(index) && !(pr.match === index && pr.state === 'probe')) return;
  if (pr.state === 'probe') {
    pr.becomeReplicate();
  } else if (pr.state === 'snapshot') {
    if (pr.match + 1 >= r.log.firstIndex()) pr.becomeReplicate();
  } else {
    pr.inflights.freeLE(index);
  }
  maybeCommit(r);
  r.needBroadcast = true;
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) r.send(r.msg('timeoutNow', m.from));
}

function handleHeartbeatResponse(r: Raft, m: Message): void {
  const pr = r.progress.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  pr.paused = false;
  if (pr.match < r.log.lastIndex() || pr.state === 'probe') maybeSendAppend(r, m.from, true);
  const round = decodeRound(m.context);
  if (round > pr.readRound) {
    pr.readRound = round;
    releaseReads(r);
  }
}

function handleSnapshotResponse(r: Raft, m: Message): void {
  const pr = r.progress.get(m.from);
  if (pr === undefined) return;
  pr.recentActive = true;
  const send = pr.snapshot;
  if (pr.state !== 'snapshot' || send === null || m.index !== send.meta.index) return;
  send.onResponse(m.rejectHint ?? 0, m.reject === true);
  sendSnapshotChunks(r, m.from, pr);
}

/**
 * Sends the follower the entries after its `next` (or an empty append when
 * `sendIfEmpty`, to carry the commit index or probe). Returns true if a message went out.
 */
export function maybeSendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.progress.get(to);
  if (pr === undefined || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  const prevTerm = r.log.maybeTerm(prevIndex);
  if (prevTerm === undefined) return startSnapshot(r, to, pr);
  let entries: Entry[] = [];
  const last = r.log.lastIndex();
  if (pr.next <= last && (pr.state !== 'replicate' || !pr.inflights.full())) {
    if (pr.next < r.log.firstIndex()) return startSnapshot(r, to, pr);
    entries = r.log.slice(pr.next, last + 1, r.cfg.maxMsgBytes);
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  const commit = r.log.committed;
  r.send(r.msg('app', to, { index: prevIndex, logTerm: prevTerm, entries, commit }));
  pr.sentEntries(entries.length, prevIndex + entries.length);
  if (commit > pr.sentCommit) pr.sentCommit = commit;
  return true;
}

function startSnapshot(r: Raft, to: NodeId, pr: Progress): boolean {
  const storage = r.log.storage;
  const meta = storage.snapshotMeta();
  assert(meta.index > 0, () => `follower ${to} needs compacted entries but there is no snapshot`);
  pr.becomeSnapshot(meta.index, new SnapshotSend(meta, storage.snapshotSize()));
  sendSnapshotChunks(r, to, pr);
  return false;
}

/** Sends chunks while the window allows; restarts cleanly if a newer snapshot replaced ours. */
export function sendSnapshotChunks(r: Raft, to: NodeId, pr: Progress): void {
  const storage = r.log.storage;
  let send = pr.snapshot;
  if (send === null) return;
  const current = storage.snapshotMeta();
  if (current.index !== send.meta.index) {
    send = new SnapshotSend(current, storage.snapshotSize());
    pr.becomeSnapshot(current.index, send);
  }
  for (;;) {
    const c = send.nextChunk(r.cfg.snapshotChunkBytes, r.cfg.maxInflightSnapshotChunks);
    if (c === null) return;
    const data = c.length === 0 ? EMPTY : storage.readSnapshot(c.offset, c.length);
    assert(data.byteLength === c.length, () => `snapshot read at ${c.offset} returned ${data.byteLength} of ${c.length} bytes`);
    const meta = send.meta;
    r.send(r.msg('snap', to, { index: meta.index, logTerm: meta.term, snapshot: meta, chunk: { offset: c.offset, totalBytes: send.totalBytes, data } }));
  }
}

/** Called every heartbeat: a snapshot transfer that got no answer for a while resends. */
export function checkSnapshotStalls(r: Raft): void {
  const limit = Math.max(2, Math.ceil(r.cfg.electionTicks / r.cfg.heartbeatTicks));
  for (const [id, pr] of r.progress) {
    const send = pr.snapshot;
    if (pr.state !== 'snapshot' || send === null) continue;
    if (++send.stalledRounds < limit) continue;
    send.onStall();
    sendSnapshotChunks(r, id, pr);
  }
}

/** A newer snapshot exists: transfers of older ones restart with it. */
export function onSnapshotTaken(r: Raft): void {
  if (r.role !== 'leader') return;
  for (const [id, pr] of r.progress) {
    if (pr.state === 'snapshot') sendSnapshotChunks(r, id, pr);
  }
}

export function bcastHeartbeat(r: Raft): void {
  if (r.reads.needRound) startReadRound(r);
  const ctx = r.reads.hasPending() ? encodeRound(r.reads.round) : undefined;
  for (const [id, pr] of r.progress) {
    if (id === r.id) continue;
    const commit = Math.min(pr.match, r.log.committed);
    r.send(r.msg('heartbeat', id, ctx === undefined ? { commit } : { commit, context: ctx }));
  }
}

/**
 * Commits the largest index a majority of voters has persisted, if it is of the current
 * term (section 5.4.2: earlier terms' entries commit only indirectly).
 */
export function maybeCommit(r: Raft): boolean {
  const mci = majorityValue(r.membership.voterIds, (id) => r.progress.get(id)?.match ?? 0);
  if (mci <= r.log.committed || r.log.maybeTerm(mci) !== r.term) return false;
  const hadCommittedInTerm = r.committedInTerm();
  r.log.commitTo(mci);
  if (!hadCommittedInTerm && r.committedInTerm()) releaseDeferredReads(r);
  return true;
}

/** The driver persisted entries up to the stable index: the leader counts its own copy. */
export function onSelfPersisted(r: Raft): void {
  if (r.role !== 'leader') return;
  const self = r.progress.get(r.id);
  if (self !== undefined && self.maybeUpdate(r.log.stableLastIndex()) && maybeCommit(r)) r.needBroadcast = true;
}

/** Runs from ready(): sends what the batched handlers asked for. */
export function flushLeader(r: Raft): void {
  if (r.role !== 'leader') return;
  if (r.reads.needRound) {
    bcastHeartbeat(r);
    r.heartbeatElapsed = 0;
  }
  if (r.needBroadcast) {
    r.needBroadcast = false;
    for (const [id, pr] of r.progress) {
      if (id === r.id) continue;
      if (pr.state === 'snapshot') {
        sendSnapshotChunks(r, id, pr);
        continue;
      }
      let sendIfEmpty = pr.canBumpCommit(r.log.committed);
      while (maybeSendAppend(r, id, sendIfEmpty)) sendIfEmpty = false;
    }
  }
  r.pruneRemovedProgress();
  // Dissertation 4.2.2: a leader removed from the configuration manages the cluster
  // until the removal commits, then steps down (handing over to an up-to-date voter).
  if (!r.membership.isVoter(r.id) && r.log.committed >= r.membership.currentIndex()) stepDownRemoved(r);
}

function stepDownRemoved(r: Raft): void {
  const best = bestTransferee(r);
  if (best !== null && r.progress.get(best)?.match === r.log.lastIndex()) r.send(r.msg('timeoutNow', best));
  r.becomeFollower(r.term, null);
}

// ---- ReadIndex ----

export function handleReadRequest(r: Raft, request: ReadRequest): void {
  if (!r.committedInTerm()) {
    r.reads.deferred.push(request);
    return;
  }
  const voters = r.membership.voterIds;
  if (voters.length === 1 && voters[0] === r.id) {
    respondRead(r, { ...request, index: r.log.committed, round: 0 });
    return;
  }
  r.reads.add(request, r.log.committed);
}

function releaseDeferredReads(r: Raft): void {
  const deferred = r.reads.deferred;
  r.reads.deferred = [];
  for (const request of deferred) handleReadRequest(r, request);
}

function startReadRound(r: Raft): void {
  const round = r.reads.startRound();
  const self = r.progress.get(r.id);
  if (self !== undefined) self.readRound = round;
  releaseReads(r);
}

function releaseReads(r: Raft): void {
  if (!r.reads.hasPending()) return;
  const confirmed = majorityValue(r.membership.voterIds, (id) => r.progress.get(id)?.readRound ?? 0);
  for (const read of r.reads.release(confirmed)) respondRead(r, read);
}

function respondRead(r: Raft, read: PendingRead): void {
  if (read.from === null) r.readStates.push({ index: read.index, ctx: read.ctx });
  else r.send(r.msg('readIndexResp', read.from, { index: read.index, context: read.ctx }));
}

// ---- transfer and proposals ----

function bestTransferee(r: Raft): NodeId | null {
  let best: NodeId | null = null;
  let bestMatch = -1;
  for (const id of r.membership.voterIds) {
    const pr = r.progress.get(id);
    if (id === r.id || pr === undefined) continue;
    if (pr.match > bestMatch) {
      best = id;
      bestMatch = pr.match;
    }
  }
  return best;
}

export function abortLeaderTransfer(r: Raft): void {
  r.leadTransferee = null;
}

export function transferLeadership(r: Raft, target: NodeId | null): ProposeResult {
  if (r.role !== 'leader') return { ok: false, reason: 'notLeader' };
  const to = target ?? bestTransferee(r);
  if (to === null) return { ok: false, reason: 'invalid', detail: 'there is no other voter' };
  if (to === r.id) return { ok: false, reason: 'invalid', detail: `${to} is already the leader` };
  if (!r.membership.isVoter(to)) return { ok: false, reason: 'invalid', detail: `${to} is not a voter` };
  const index = r.log.lastIndex();
  if (r.leadTransferee === to) return { ok: true, index };
  r.leadTransferee = to;
  // The transfer must finish within one election timeout (section 3.10 of the dissertation).
  r.electionElapsed = 0;
  const pr = r.progress.get(to);
  if (pr !== undefined && pr.match === index) r.send(r.msg('timeoutNow', to));
  else maybeSendAppend(r, to, true);
  return { ok: true, index };
}

function appendAsLeader(r: Raft, kind: EntryKind, data: Uint8Array): number {
  const index = r.log.lastIndex() + 1;
  r.log.append([{ index, term: r.term, kind, data }]);
  r.needBroadcast = true;
  return index;
}

export function propose(r: Raft, data: Uint8Array): ProposeResult {
  if (r.role !== 'leader') return { ok: false, reason: 'notLeader' };
  if (r.leadTransferee !== null) return { ok: false, reason: 'transferring' };
  return { ok: true, index: appendAsLeader(r, EntryKind.Normal, data) };
}

export function proposeConfChange(r: Raft, change: ConfChange): ProposeResult {
  if (r.role !== 'leader') return { ok: false, reason: 'notLeader' };
  if (r.leadTransferee !== null) return { ok: false, reason: 'transferring' };
  if (!r.committedInTerm()) {
    // Ongaro's fix for single-server changes: a new leader first commits its no-op.
    return { ok: false, reason: 'confChangeInProgress', detail: 'the leader has not committed an entry of its term yet' };
  }
  if (r.membership.currentIndex() > r.log.committed) {
    return { ok: false, reason: 'confChangeInProgress', detail: 'a configuration change is not committed yet' };
  }
  const invalid = validateChange(r.membership.conf, change);
  if (invalid !== null) return { ok: false, reason: 'invalid', detail: invalid };
  const learner = r.progress.get(change.id);
  if (change.op === 'promote' && (learner === undefined || learner.state !== 'replicate' || !learner.recentActive)) {
    return { ok: false, reason: 'invalid', detail: `learner ${change.id} has not caught up yet (or is unreachable)` };
  }
  return { ok: true, index: appendAsLeader(r, EntryKind.ConfChange, encodeConfChange(change)) };
}
