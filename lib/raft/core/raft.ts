/**
 * The Raft state machine (etcd's raft.go): terms, roles, elections and message dispatch.
 * Leader behaviour lives in raft-leader.ts, follower and candidate behaviour in
 * raft-follower.ts; both operate on this class. Everything here only mutates memory.
 *
 * Outgoing messages go to one of two queues: `msgsBefore` (the leader's appends,
 * heartbeats and snapshot chunks, which may leave before the leader's own fsync) and
 * `msgsAfter` (everything that promises persisted state: votes, acknowledgements).
 */
import { assert } from '../../util/assert.js';
import { bootstrapEntries } from './bootstrap.js';
import { Membership, EMPTY_CONF } from './membership.js';
import { Progress } from './progress.js';
import { voteResult } from './quorum.js';
import { RaftLog } from './raft-log.js';
import { ReadIndexBatcher } from './read-index.js';
import type { SnapshotAssembly } from './snapshot-transfer.js';
import { EntryKind, type Entry, type Message, type MessageType, type NodeId, type RaftConfig, type ReadState, type Role } from './types.js';
import { stepLeader, maybeCommit, bcastHeartbeat, checkSnapshotStalls, abortLeaderTransfer } from './raft-leader.js';
import { stepCandidate, stepFollower } from './raft-follower.js';

/** The context of a vote request sent because the leader handed over (timeoutNow). */
export const TRANSFER_CONTEXT = new Uint8Array([0x74, 0x72, 0x61, 0x6e, 0x73, 0x66, 0x65, 0x72]); // "transfer"

const EMPTY = new Uint8Array(0);

export class Raft {
  readonly id: NodeId;
  readonly log: RaftLog;
  readonly membership: Membership;
  /** Leader only: one per member, including this node while it is a member. */
  readonly progress = new Map<NodeId, Progress>();
  readonly reads = new ReadIndexBatcher();
  term = 0;
  vote: NodeId | null = null;
  lead: NodeId | null = null;
  role: Role = 'follower';
  readonly votes = new Map<NodeId, boolean>();
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: NodeId | null = null;
  /** Leader only: index of this term's first entry (its no-op). */
  termStartIndex = 0;
  msgsBefore: Message[] = [];
  msgsAfter: Message[] = [];
  readStates: ReadState[] = [];
  assembly: SnapshotAssembly | null = null;
  /** Leader only: replication must be flushed at the next ready() (batched sends). */
  needBroadcast = false;

  constructor(readonly cfg: RaftConfig) {
    validateConfig(cfg);
    this.id = cfg.id;
    const storage = cfg.storage;
    const { hardState, conf } = storage.initialState();
    const snapIndex = storage.snapshotMeta().index;
    const fresh = storage.lastIndex() === 0 && snapIndex === 0;
    const bootstrap = fresh && conf.voters.length + conf.learners.length > 0;
    this.membership = new Membership(snapIndex, bootstrap ? EMPTY_CONF : conf);
    this.log = new RaftLog(storage, (entries) => this.onLogAppend(entries));
    this.log.applyOnlyPersisted = cfg.asyncPersistence === true;
    this.replayConfChanges(snapIndex);
    this.term = hardState.term;
    this.vote = hardState.vote;
    const last = this.log.lastIndex();
    // A commit saved without fsync may lag the snapshot or the applied index; a log tail
    // lost in a crash may sit below a saved commit (it was never acknowledged).
    this.log.committed = Math.min(Math.max(hardState.commit, snapIndex, cfg.applied), last);
    if (cfg.applied < snapIndex || cfg.applied > this.log.committed) {
      throw new RangeError(`raft: applied ${cfg.applied} must be within [snapshot ${snapIndex}, commit ${this.log.committed}]`);
    }
    this.log.applied = cfg.applied;
    if (bootstrap) {
      const entries = bootstrapEntries(conf);
      this.log.append(entries);
      this.term = Math.max(this.term, 1);
      this.log.committed = entries.length;
    }
    this.membership.compactTo(this.log.committed);
    this.becomeFollower(this.term, null);
  }

  /** Rebuilds the configuration from the ConfChange entries after the snapshot. */
  private replayConfChanges(snapIndex: number): void {
    const storage = this.cfg.storage;
    let lo = Math.max(snapIndex + 1, storage.firstIndex());
    const hi = storage.lastIndex() + 1;
    while (lo < hi) {
      const batch = storage.entries(lo, hi, 64 * 1024 * 1024);
      const conf = batch.filter((e) => e.kind === EntryKind.ConfChange);
      if (conf.length > 0) this.membership.onAppend(conf);
      lo += batch.length;
    }
  }

  // ---- messages ----

  send(m: Message): void {
    if (this.role === 'leader' && (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap')) {
      this.msgsBefore.push(m);
    } else {
      this.msgsAfter.push(m);
    }
  }

  /** A message of the current term from this node. */
  msg(type: MessageType, to: NodeId, fields?: Partial<Message>): Message {
    return { type, from: this.id, to, term: this.term, ...fields };
  }

  // ---- roles ----

  promotable(): boolean {
    return this.membership.isVoter(this.id) && this.log.unstable.snapshot === null;
  }

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTicks + this.cfg.rng.int(this.cfg.electionTicks);
  }

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = null;
      this.assembly = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    abortLeaderTransfer(this);
    this.votes.clear();
    this.progress.clear();
    this.reads.reset();
    this.needBroadcast = false;
  }

  /** follower or learner, as the configuration says. */
  private passiveRole(): Role {
    return this.membership.isLearner(this.id) ? 'learner' : 'follower';
  }

  becomeFollower(term: number, lead: NodeId | null): void {
    this.reset(term);
    this.lead = lead;
    this.role = this.passiveRole();
  }

  private becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a pre-candidate');
    this.votes.clear();
    this.lead = null;
    this.role = 'preCandidate';
  }

  private becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate can become leader');
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const last = this.log.lastIndex();
    for (const id of this.membership.others(this.id)) this.addProgress(id, last + 1);
    if (this.membership.isMember(this.id)) {
      const self = this.addProgress(this.id, last + 1);
      self.match = this.log.stableLastIndex();
      self.becomeReplicate();
    }
    // Section 5.4.2 / 8: a no-op of the new term lets earlier entries commit and tells
    // the leader its commit index is current (which ReadIndex waits for).
    this.termStartIndex = last + 1;
    this.log.append([{ index: last + 1, term: this.term, kind: EntryKind.Normal, data: EMPTY }]);
    this.needBroadcast = true;
  }

  addProgress(id: NodeId, next: number): Progress {
    const pr = new Progress(Math.max(next, 1), this.cfg.maxInflightMsgs, this.membership.isLearner(id));
    this.progress.set(id, pr);
    return pr;
  }

  // ---- elections ----

  /** Starts an election (a pre-vote first, unless this is a leadership transfer). */
  hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable()) return;
    if (this.cfg.preVote && !transfer) this.campaignPre();
    else this.campaign(transfer);
  }

  private campaignPre(): void {
    this.becomePreCandidate();
    if (this.poll(this.id, true) === 'won') {
      this.campaign(false);
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const id of this.membership.voterIds) {
      if (id === this.id) continue;
      this.send(this.msg('preVote', id, { term: this.term + 1, index, logTerm }));
    }
  }

  private campaign(transfer: boolean): void {
    this.becomeCandidate();
    // With asynchronous persistence our own vote counts only once it is durable
    // (onDurableVote): a single voter must not lead a term it could forget in a crash,
    // and then lead it again with different entries.
    if (this.cfg.asyncPersistence !== true && this.poll(this.id, true) === 'won') {
      this.becomeLeader();
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const id of this.membership.voterIds) {
      if (id === this.id) continue;
      this.send(this.msg('vote', id, transfer ? { index, logTerm, context: TRANSFER_CONTEXT } : { index, logTerm }));
    }
  }

  /** Records a vote (or pre-vote) and returns the election's state. */
  poll(id: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
    if (!this.votes.has(id)) this.votes.set(id, granted);
    return voteResult(this.membership.voterIds, this.votes);
  }

  /** asyncPersistence: the hard state (term, vote) is durable; a candidate may count its own vote. */
  onDurableVote(term: number, vote: NodeId | null): void {
    if (this.role !== 'candidate' || term !== this.term || vote !== this.id || this.votes.has(this.id)) return;
    const result = this.poll(this.id, true);
    if (result === 'won') this.becomeLeader();
    else if (result === 'lost') this.becomeFollower(this.term, null);
  }

  /** The candidate won its pre-vote or vote. */
  onElectionWon(): void {
    if (this.role === 'preCandidate') this.campaign(false);
    else this.becomeLeader();
  }

  // ---- time ----

  tick(): void {
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      // recentActive is renewed every election timeout even without check-quorum:
      // promotions use it to tell a live learner from a dead one.
      if (!this.quorumActive() && this.cfg.checkQuorum) {
        this.becomeFollower(this.term, null);
        return;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      abortLeaderTransfer(this);
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      bcastHeartbeat(this);
      checkSnapshotStalls(this);
    }
  }

  /** Check-quorum (section 6.2 of the dissertation): has a majority been heard from lately? */
  private quorumActive(): boolean {
    let active = 0;
    for (const id of this.membership.voterIds) {
      const pr = this.progress.get(id);
      if (id === this.id || (pr !== undefined && pr.recentActive)) active++;
    }
    for (const [id, pr] of this.progress) if (id !== this.id) pr.recentActive = false;
    return active >= Math.floor(this.membership.voterIds.length / 2) + 1;
  }

  // ---- dispatch ----

  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id) return;
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        const force = isTransferContext(m.context);
        const inLease = this.cfg.checkQuorum && this.lead !== null && this.electionElapsed < this.cfg.electionTicks;
        // Section 6 (disruptive servers): ignore elections while a leader is known.
        if (!force && inLease) return;
      }
      if (m.type === 'preVote') {
        // A pre-vote never changes our term.
      } else if (m.type === 'preVoteResp' && m.reject !== true) {
        // A granted pre-vote carries the future term; we adopt it by campaigning.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else if (m.type === 'vote') {
        // Figure 2: only granting the vote resets the election timer, not the newer term
        // itself. Otherwise a candidate whose log is behind but whose clock runs fast
        // could keep the one server that can win from ever timing out.
        const elapsed = this.electionElapsed;
        this.becomeFollower(m.term, null);
        this.electionElapsed = elapsed;
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      this.stepStale(m);
      return;
    }
    if (m.type === 'vote' || m.type === 'preVote') {
      this.handleVoteRequest(m);
      return;
    }
    if (this.role === 'leader') stepLeader(this, m);
    else if (this.role === 'candidate' || this.role === 'preCandidate') stepCandidate(this, m);
    else stepFollower(this, m);
  }

  /** A message from an older term (section 5.1: it is rejected). */
  private stepStale(m: Message): void {
    if (m.type === 'heartbeat' || m.type === 'app' || m.type === 'snap') {
      // Tell the stale leader about the newer term so it steps down: with pre-vote and
      // check-quorum a partitioned old leader would otherwise never learn it.
      this.send(this.msg('appResp', m.from));
    } else if (m.type === 'preVote' || m.type === 'vote') {
      // Reject with our term so the candidate catches up. Without this, a candidate whose
      // configuration differs from ours (a membership change it has and we lack) may
      // never hear our term and keep campaigning in terms we ignore.
      this.send(this.msg(m.type === 'vote' ? 'voteResp' : 'preVoteResp', m.from, { reject: true }));
    }
  }

  /** Section 5.2 (one vote per term, first come first served) and 5.4.1 (up-to-date logs). */
  private handleVoteRequest(m: Message): void {
    const respType = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
    const canVote =
      this.vote === m.from ||
      (this.vote === null && this.lead === null) ||
      (m.type === 'preVote' && m.term > this.term);
    if (canVote && this.log.isUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
      this.send(this.msg(respType, m.from, { term: m.term }));
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send(this.msg(respType, m.from, { reject: true }));
    }
  }

  // ---- configuration ----

  private onLogAppend(entries: readonly Entry[]): void {
    if (!this.membership.onAppend(entries)) return;
    this.onConfChanged();
  }

  /** The configuration changed (on append, on truncation, or from a snapshot). */
  onConfChanged(): void {
    if (this.role === 'follower' || this.role === 'learner') this.role = this.passiveRole();
    if (this.role !== 'leader') return;
    const last = this.log.lastIndex();
    for (const id of this.membership.others(this.id)) {
      const pr = this.progress.get(id);
      if (pr === undefined) this.addProgress(id, last);
      else pr.learner = this.membership.isLearner(id);
    }
    this.pruneRemovedProgress();
    if (this.leadTransferee !== null && !this.membership.isVoter(this.leadTransferee)) abortLeaderTransfer(this);
    // The quorum changed: commit and confirmed reads may move.
    if (maybeCommit(this)) this.needBroadcast = true;
  }

  /**
   * Stops replicating to servers that left the configuration, once the change commits:
   * until then they still receive the log, so they learn of their removal (and stop
   * campaigning) instead of timing out in the dark.
   */
  pruneRemovedProgress(): void {
    if (this.membership.currentIndex() > this.log.committed) return;
    for (const id of [...this.progress.keys()]) {
      if (id !== this.id && !this.membership.isMember(id)) this.progress.delete(id);
    }
  }

  /** Leader only: has an entry of this term been committed (so the commit index is current)? */
  committedInTerm(): boolean {
    return this.role === 'leader' && this.log.committed >= this.termStartIndex;
  }
}

export function isTransferContext(ctx: Uint8Array | undefined | null): boolean {
  if (ctx === undefined || ctx === null || ctx.byteLength !== TRANSFER_CONTEXT.byteLength) return false;
  for (let i = 0; i < ctx.byteLength; i++) if (ctx[i] !== TRANSFER_CONTEXT[i]) return false;
  return true;
}

function validateConfig(cfg: RaftConfig): void {
  const positive: (keyof RaftConfig)[] = ['heartbeatTicks', 'electionTicks', 'maxMsgBytes', 'maxInflightMsgs', 'snapshotChunkBytes', 'maxInflightSnapshotChunks'];
  for (const key of positive) {
    const v = cfg[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError(`raft: ${key} must be a positive integer, got ${String(v)}`);
  }
  if (cfg.electionTicks <= cfg.heartbeatTicks) {
    throw new RangeError(`raft: electionTicks (${cfg.electionTicks}) must be greater than heartbeatTicks (${cfg.heartbeatTicks})`);
  }
  if (cfg.id === '') throw new RangeError('raft: id must not be empty');
}
