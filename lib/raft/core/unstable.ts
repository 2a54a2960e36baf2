/**
 * Entries (and at most one snapshot) the core holds that the driver has not yet confirmed
 * persisted (etcd's log_unstable). Index `offset` is the first entry here; everything
 * below it is in stable storage, so `offset - 1` is the last persisted index.
 */
import type { Entry, SnapshotMeta } from './types.js';

export interface PendingSnapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

export class Unstable {
  snapshot: PendingSnapshot | null = null;
  entries: Entry[] = [];

  constructor(public offset: number) {}

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
  }

  stableSnapTo(index: number): void {
    if (this.snapshot !== null && this.snapshot.meta.index === index) this.snapshot = null;
  }

  restore(snapshot: PendingSnapshot): void {
    this.offset = snapshot.meta.index + 1;
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
      this.entries = entries.slice();
    } else {
      const kept = this.entries.slice(0, after - this.offset);
      for (const e of entries) kept.push(e);
      this.entries = kept;
    }
  }

  /** Entries in [lo, hi); the caller checks bounds. */
  slice(lo: number, hi: number): Entry[] {
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
