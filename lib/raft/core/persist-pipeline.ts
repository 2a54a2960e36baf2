/**
 * Asynchronous persistence (etcd's AsyncStorageWrites, lite): the Readys handed out whose
 * writes are not yet durable, oldest first. The driver writes them in order and reports
 * each with persisted(index, term), naming the Ready's persistTo position.
 *
 * Why a queue rather than only a term check on (index, term): the same position can come
 * back. Entries 5..7 of term 2 are being written; a leader of term 3 replaces 6..7 (a
 * second write, in flight); a leader of term 4 brings back 6..7 of term 2 (a third). When
 * the first write completes, (7, 2) matches the log again, yet the disk is about to hold
 * term 3 at 6..7 for a while. So an acknowledgement marks as stable only what no write
 * still in flight rewrites: up to the first index any later write starts at.
 */
import type { NodeId } from './types.js';

export interface InFlightWrite {
  readonly seq: number;
  /** First entry index this write touches (Infinity when it carries no entries). */
  readonly first: number;
  /** The log position persisted() will name. */
  readonly index: number;
  readonly term: number;
  /** The snapshot it installs, or 0. */
  readonly snapshotIndex: number;
  /** The term and vote of the hard state it carries. */
  readonly hardTerm: number;
  readonly hardVote: NodeId | null;
}

export class PersistPipeline {
  private writes: InFlightWrite[] = [];
  private nextSeq = 1;

  get size(): number {
    return this.writes.length;
  }

  add(write: Omit<InFlightWrite, 'seq'>): number {
    const seq = this.nextSeq++;
    this.writes.push({ ...write, seq });
    return seq;
  }

  has(seq: number): boolean {
    return this.writes.some((w) => w.seq === seq);
  }

  /**
   * Removes and returns the oldest write at (index, term) and every write before it, or
   * null when none is at that position (a stale or unknown acknowledgement).
   */
  acknowledge(index: number, term: number): InFlightWrite[] | null {
    const at = this.writes.findIndex((w) => w.index === index && w.term === term);
    if (at === -1) return null;
    return this.writes.splice(0, at + 1);
  }

  /** The lowest index a write still in flight rewrites (Infinity when none does). */
  firstPendingIndex(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const w of this.writes) if (w.first < min) min = w.first;
    return min;
  }
}
