/**
 * The RaftNode API over the Raft state machine (etcd's RawNode): hands out one Ready at a
 * time and learns from advance() what the driver handled.
 *
 * Between ready() and advance() the driver may keep calling step(), tick(), propose()...
 * (its fsync is asynchronous); anything they produce waits for the next Ready.
 *
 * Default mode: advance() also means persisted, and marks as persisted exactly the
 * entries of the Ready it acknowledges: if some were replaced meanwhile by a conflicting
 * append, the term check in Unstable.stableTo keeps the replacements unstable.
 *
 * asyncPersistence: advance() means handled; durability arrives later, in order, through
 * persisted() (PersistPipeline says how it is matched to the Readys). Until then the
 * entries are "in progress" (never handed out again), not applied, and the leader does
 * not count its own copy; a candidate does not count its own vote until it is durable.
 */
import { assert } from '../../util/assert.js';
import { Raft } from './raft.js';
import { flushLeader, handleReadRequest, onSelfPersisted, onSnapshotTaken, propose, proposeConfChange, transferLeadership } from './raft-leader.js';
import { PersistPipeline } from './persist-pipeline.js';
import type { ConfChange, HardState, Message, NodeId, Progress as ProgressView, ProposeResult, RaftConfig, RaftNode, Ready, SnapshotMeta, SoftState, Status } from './types.js';

/** Bounds the committed entries handed out in one Ready (bytes of entry data). */
const DEFAULT_MAX_COMMITTED_BYTES = 32 * 1024 * 1024;

interface Outstanding {
  readonly lastEntry: { readonly index: number; readonly term: number } | null;
  readonly snapshotIndex: number;
  readonly appliedTo: number;
  readonly hardState: HardState;
  /** asyncPersistence: the write this Ready started (0 when none). */
  readonly writeSeq: number;
}

interface TermVote {
  readonly term: number;
  readonly vote: NodeId | null;
}

export class RawNode implements RaftNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;
  /** The term and vote known durable: messages of a newer term or vote must wait for it. */
  private durable: TermVote;
  private outstanding: Outstanding | null = null;
  /** asyncPersistence only. */
  private readonly pipeline: PersistPipeline | null;

  constructor(config: RaftConfig) {
    this.prevHard = config.storage.initialState().hardState;
    this.durable = this.prevHard;
    this.raft = new Raft(config);
    this.prevSoft = this.softState();
    this.pipeline = config.asyncPersistence === true ? new PersistPipeline() : null;
  }

  tick(): void {
    this.raft.tick();
  }

  step(message: Message): void {
    this.raft.step(message);
  }

  propose(data: Uint8Array): ProposeResult {
    return propose(this.raft, data);
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    return proposeConfChange(this.raft, change);
  }

  readIndex(ctx: Uint8Array): void {
    const r = this.raft;
    if (r.role === 'leader') handleReadRequest(r, { ctx, from: null });
    else if (r.lead !== null) r.send(r.msg('readIndex', r.lead, { context: ctx }));
    // With no known leader the request is dropped; the driver retries after a timeout.
  }

  transferLeadership(id: NodeId | null): ProposeResult {
    return transferLeadership(this.raft, id);
  }

  campaign(): void {
    this.raft.hup(false);
  }

  hasReady(): boolean {
    if (this.outstanding !== null) return false;
    const r = this.raft;
    const pipeline = this.pipeline;
    // A snapshot waits for the writes before it: the driver resets its log to install it.
    if (pipeline !== null && r.log.unstable.snapshot !== null && pipeline.size > 0) return false;
    flushLeader(r);
    const unstable = r.log.unstable;
    return (
      r.msgsBefore.length > 0 ||
      r.msgsAfter.length > 0 ||
      r.readStates.length > 0 ||
      (pipeline === null ? unstable.entries.length > 0 : unstable.hasEntriesNotInProgress()) ||
      unstable.snapshot !== null ||
      r.log.hasNextCommittedEntries() ||
      !sameSoft(this.softState(), this.prevSoft) ||
      !sameHard(this.hardState(), this.prevHard)
    );
  }

  ready(): Ready {
    assert(this.outstanding === null, 'ready() called again before advance()');
    const r = this.raft;
    const pipeline = this.pipeline;
    flushLeader(r);
    const soft = this.softState();
    const softChanged = !sameSoft(soft, this.prevSoft);
    const hard = this.hardState();
    const voteChanged = hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote;
    const entries = pipeline === null ? r.log.unstableEntries() : r.log.unstable.entriesNotInProgress();
    const snapshot = r.log.unstable.snapshot;
    assert(pipeline === null || snapshot === null || pipeline.size === 0, 'a snapshot is handed out while earlier writes are in flight');
    const committedEntries = r.log.nextCommittedEntries(r.cfg.maxCommittedBytesPerReady ?? DEFAULT_MAX_COMMITTED_BYTES);
    let before = r.msgsBefore;
    let after = r.msgsAfter;
    if ((hard.term !== this.durable.term || hard.vote !== this.durable.vote) && before.length > 0) {
      // Never send anything of a term (or vote) before it is durable.
      after = before.concat(after);
      before = [];
    }
    r.msgsBefore = [];
    r.msgsAfter = [];
    const readStates = r.readStates;
    r.readStates = [];
    const mustSync = entries.length > 0 || snapshot !== null || voteChanged;
    const persistTo = pipeline !== null && mustSync ? { index: r.log.lastIndex(), term: r.log.lastTerm() } : null;
    let writeSeq = 0;
    if (pipeline !== null && persistTo !== null) {
      const first = snapshot !== null ? 0 : (entries[0]?.index ?? Number.POSITIVE_INFINITY);
      writeSeq = pipeline.add({ first, ...persistTo, snapshotIndex: snapshot?.meta.index ?? 0, hardTerm: hard.term, hardVote: hard.vote });
      r.log.unstable.acceptInProgress();
    }
    const last = entries[entries.length - 1];
    const lastCommitted = committedEntries[committedEntries.length - 1];
    this.outstanding = {
      lastEntry: last === undefined ? null : { index: last.index, term: last.term },
      snapshotIndex: snapshot === null ? 0 : snapshot.meta.index,
      appliedTo: lastCommitted === undefined ? 0 : lastCommitted.index,
      hardState: hard,
      writeSeq,
    };
    if (softChanged) this.prevSoft = soft;
    return {
      softState: softChanged ? soft : null,
      hardState: sameHard(hard, this.prevHard) ? null : hard,
      entries,
      mustSync,
      snapshot: snapshot === null ? null : { meta: snapshot.meta, data: snapshot.data },
      committedEntries,
      messagesBeforePersist: before,
      messages: after,
      readStates,
      persistTo,
    };
  }

  advance(): void {
    const o = this.outstanding;
    assert(o !== null, 'advance() called without a Ready');
    const r = this.raft;
    if (this.pipeline !== null) {
      assert(o.snapshotIndex === 0 || !this.pipeline.has(o.writeSeq), 'a Ready with a snapshot must be persisted (persisted()) before advance()');
    } else {
      if (o.snapshotIndex > 0) r.log.stableSnapTo(o.snapshotIndex);
      if (o.lastEntry !== null) r.log.stableTo(o.lastEntry.index, o.lastEntry.term);
      this.durable = o.hardState;
    }
    if (o.snapshotIndex > 0) r.log.appliedTo(o.snapshotIndex);
    r.log.appliedTo(o.appliedTo);
    this.prevHard = o.hardState;
    r.membership.compactTo(r.log.committed);
    this.outstanding = null;
    if (this.pipeline === null) onSelfPersisted(r);
  }

  persisted(index: number, term: number): void {
    const pipeline = this.pipeline;
    assert(pipeline !== null, 'persisted() is only for asyncPersistence mode');
    const done = pipeline.acknowledge(index, term);
    const newest = done?.[done.length - 1];
    if (done === null || newest === undefined) return;
    const r = this.raft;
    this.durable = { term: newest.hardTerm, vote: newest.hardVote };
    for (const w of done) if (w.snapshotIndex > 0) r.log.stableSnapTo(w.snapshotIndex);
    // Stable is what is durable and that no write still in flight (or not yet handed
    // out) rewrites.
    const stable = Math.min(index, pipeline.firstPendingIndex() - 1, r.log.unstable.offsetInProgress - 1);
    if (stable < index || r.log.maybeTerm(index) === term) r.log.stableTo(stable, r.log.termOrZero(stable));
    r.onDurableVote(this.durable.term, this.durable.vote);
    onSelfPersisted(r);
  }

  snapshotTaken(meta: SnapshotMeta): void {
    const r = this.raft;
    assert(meta.index <= r.log.applied, () => `snapshot at ${meta.index} is past the applied index ${r.log.applied}`);
    onSnapshotTaken(r);
  }

  status(): Status {
    const r = this.raft;
    let progress: Map<NodeId, ProgressView> | null = null;
    if (r.role === 'leader') {
      progress = new Map();
      for (const [id, pr] of r.progress) {
        if (id === r.id || !r.membership.isMember(id)) continue;
        progress.set(id, { match: pr.match, next: pr.next, state: pr.state, recentActive: pr.recentActive, learner: pr.learner });
      }
    }
    return {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      lastIndex: r.log.lastIndex(),
      role: r.role,
      leader: r.lead,
      conf: r.membership.conf,
      progress,
      transferee: r.leadTransferee,
    };
  }

  /** The commit index as this node knows it; status() without the allocation, for hot paths. */
  commitIndex(): number {
    return this.raft.log.committed;
  }

  /** Inspection for tests and the simulator: the term at index in this node's log (0 if unknown). */
  termAt(index: number): number {
    return this.raft.log.termOrZero(index);
  }

  private softState(): SoftState {
    return { leader: this.raft.lead, role: this.raft.role };
  }

  private hardState(): HardState {
    return { term: this.raft.term, vote: this.raft.vote, commit: this.raft.log.committed };
  }
}

function sameSoft(a: SoftState, b: SoftState): boolean {
  return a.leader === b.leader && a.role === b.role;
}

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}
