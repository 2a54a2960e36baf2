/**
 * Entries (and at most one snapshot) the core holds that the driver has not yet confirmed
 * persisted (etcd's log_unstable). Index `offset` is the first entry here; everything
 * below it is in stable storage, so `offset - 1` is the last persisted index.
 *
 * With asynchronous persistence, entries in [offset, offsetInProgress) were handed to the
 * driver and are being written: they are never handed out again unless a conflicting
 * append replaces them (which moves offsetInProgress back to the replacement).
 */
import type { Entry, SnapshotMeta } from './types.js';

export interface PendingSnapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

export class Unstable {
  snapshot: PendingSnapshot | null = null;
  entries: Entry[] = [];

  offsetInProgress: number;

  constructor(public offset: number) {
    this.offsetInProgress = offset;
  }

  /** The driver took every entry held: they are being written. */
  acceptInProgress(): void {
    this.offsetInProgress = this.offset + this.entries.length;
  }

  hasEntriesNotInProgress(): boolean {
    return this.offsetInProgress < this.offset + this.entries.length;
  }

  /** Entries not handed out yet (a copy). */
  entriesNotInProgress(): Entry[] {
    return this.entries.slice(this.offsetInProgress - this.offset);
  }

  /** The first index, when a pending snapshot defines it. */
  maybeFirstIndex(): number | undefined {
    return this.snapshot === null ? undefined : this.snapshot.meta.index + 1;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot === null ? undefined : this.snapshot.meta.index;
  }

  maybeTerm(index: number): number | undefined {
    if (index < this.offset) {
      const snap = this.snapshot;
      return snap !== null && snap.meta.index === index ? snap.meta.term : undefined;
    }
    const entry = this.entries[index - this.offset];
    return entry === undefined ? undefined : entry.term;
  }

  /**
   * Entries up to `index` were persisted. The term check ignores an acknowledgement for
   * entries that were replaced (a conflicting suffix) while the driver was writing them.
   */
  stableTo(index: number, term: number): void {
    if (index < this.offset || this.maybeTerm(index) !== term) return;
    const count = index + 1 - this.offset;
    this.entries = count === this.entries.length ? [] : this.entries.slice(count);
    this.offset = index + 1;
    if (this.offsetInProgress < this.offset) this.offsetInProgress = this.offset;
  }

  stableSnapTo(index: number): void {
    if (this.snapshot !== null && this.snapshot.meta.index === index) this.snapshot = null;
  }

  restore(snapshot: PendingSnapshot): void {
    this.offset = snapshot.meta.index + 1;
    this.offsetInProgress = this.offset;
    this.entries = [];
    this.snapshot = snapshot;
  }

  /** Appends `entries` (contiguous), first discarding any held suffix they replace. */
  truncateAndAppend(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    const after = first.index;
    if (after === this.offset + this.entries.length) {
      for (const e of entries) this.entries.push(e);
    } else if (after <= this.offset) {
      // Replaces everything held here, and part of stable storage (which the driver
      // overwrites when it persists these).
      this.offset = after;
      this.offsetInProgress = after;
      this.entries = entries.slice();
    } else {
      const kept = this.entries.slice(0, after - this.offset);
      for (const e of entries) kept.push(e);
      this.entries = kept;
      // Only the entries before the replacement are still being written as they are.
      if (after < this.offsetInProgress) this.offsetInProgress = after;
    }
  }

  /** Entries in [lo, hi); the caller checks bounds. */
  slice(lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
