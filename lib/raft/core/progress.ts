/**
 * What the leader knows about one follower's log (etcd's tracker/progress). In `probe`
 * the leader sends one append at a time until it finds where the logs match; in
 * `replicate` it streams entries optimistically within the in-flight window; in
 * `snapshot` it sends snapshot chunks and no entries.
 */
import { Inflights } from './inflights.js';
import type { SnapshotSend } from './snapshot-transfer.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In snapshot state: the index of the snapshot being sent. */
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = true;
  /** In probe state: an append is outstanding; in replicate: the window is full. */
  paused = false;
  /** The highest commit index sent to this follower. */
  sentCommit = 0;
  /** The highest read round this follower has confirmed (batched ReadIndex). */
  readRound = 0;
  readonly inflights: Inflights;
  snapshot: SnapshotSend | null = null;

  constructor(
    next: number,
    maxInflight: number,
    public learner: boolean,
  ) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
  }

  private resetState(state: ProgressState): void {
    this.paused = false;
    this.pendingSnapshot = 0;
    this.snapshot = null;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
  }

  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number, send: SnapshotSend): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
    this.snapshot = send;
    this.next = snapshotIndex + 1;
    this.sentCommit = snapshotIndex;
  }

  /** Records an append carrying `count` entries that ended at `lastIndex`. */
  sentEntries(count: number, lastIndex: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex);
      }
      this.paused = this.inflights.full();
    } else if (this.state === 'probe' && count > 0) {
      this.paused = true;
    }
  }

  /** An acknowledgement up to `index`; false when it tells nothing new. */
  maybeUpdate(index: number): boolean {
    if (index <= this.match) return false;
    this.match = index;
    this.next = Math.max(this.next, index + 1);
    this.paused = false;
    return true;
  }

  /**
   * A rejection of the append whose previous index was `rejected`; `hint` is where the
   * follower suggests probing next. False when the rejection is stale.
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.paused = false;
    return true;
  }

  isPaused(): boolean {
    return this.state === 'snapshot' || this.paused;
  }

  /** The follower may not know the current commit index yet. */
  canBumpCommit(committed: number): boolean {
    // Only useful if the follower holds entries past what it was told is committed: it
    // commits min(commit, last index of the append).
    return this.state !== 'snapshot' && committed > this.sentCommit && this.sentCommit < this.next - 1;
  }
}
