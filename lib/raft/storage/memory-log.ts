/**
 * The in-memory LogStore twin. Besides the LogStore contract it models a disk for the
 * simulator: appends are visible at once but durable only after sync(), and crash()
 * rebuilds what a real disk would hold: the state at the last sync plus, optionally, a
 * torn prefix of the writes made since (in order). Every effect happens synchronously
 * at call time; the returned promises are already resolved.
 */
import { CompactedError, UnavailableError, type Entry } from '../core/types.js';
import type { LogStore } from './types.js';

/** Rough per-entry overhead (index, term, kind, framing) for sizeBytes(). */
const ENTRY_OVERHEAD_BYTES = 24;

export class MemoryLogStore implements LogStore {
  private log: Entry[] = [];
  private compactIndex = 0;
  private compactTerm = 0;
  private bytes = 0;
  /** Durable view since the last sync: entries below `dirtyFrom` are unchanged... */
  private dirtyFrom = Number.POSITIVE_INFINITY;
  /** ...and these were the durable entries from `dirtyFrom` on. */
  private durableTail: Entry[] = [];
  /** Appends since the last sync, in order (each may have truncated first). */
  private pending: Entry[][] = [];
  /** Number of sync() calls that had something to make durable (for tests). */
  syncs = 0;

  firstIndex(): number {
    return this.compactIndex + 1;
  }

  lastIndex(): number {
    return this.compactIndex + this.log.length;
  }

  term(index: number): number {
    if (index === this.compactIndex) return this.compactTerm;
    this.checkBounds(index, index + 1);
    return (this.log[index - this.compactIndex - 1] as Entry).term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    this.checkBounds(lo, hi);
    const base = this.compactIndex + 1;
    let size = 0;
    let end = lo;
    while (end < hi) {
      size += (this.log[end - base] as Entry).data.byteLength;
      if (size > maxBytes && end > lo) break;
      end++;
    }
    return this.log.slice(lo - base, end - base);
  }

  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index <= this.compactIndex || first.index > this.lastIndex() + 1) {
      throw new RangeError(`append at ${first.index} is not contiguous with [${this.firstIndex()}, ${this.lastIndex()}]`);
    }
    this.markDirty(first.index);
    this.truncateFrom(first.index);
    for (const e of entries) {
      this.log.push(e);
      this.bytes += e.data.byteLength + ENTRY_OVERHEAD_BYTES;
    }
    this.pending.push(entries.slice());
  }

  sync(): Promise<void> {
    this.syncNow();
    return Promise.resolve();
  }

  /** Twin-only: sync() without a promise, for the synchronous simulator. */
  syncNow(): void {
    if (this.pending.length > 0) this.syncs++;
    this.dirtyFrom = Number.POSITIVE_INFINITY;
    this.durableTail = [];
    this.pending = [];
  }

  compact(index: number, term: number): Promise<void> {
    if (index <= this.compactIndex) return Promise.resolve();
    if (index >= this.lastIndex()) return this.reset(index, term);
    const drop = index - this.compactIndex;
    for (let i = 0; i < drop; i++) this.bytes -= (this.log[i] as Entry).data.byteLength + ENTRY_OVERHEAD_BYTES;
    this.log.splice(0, drop);
    this.compactIndex = index;
    this.compactTerm = term;
    // Dropping old entries is harmless to lose or keep in a crash; model it as durable.
    this.durableTail = this.durableTail.filter((e) => e.index > index);
    return Promise.resolve();
  }

  reset(index: number, term: number): Promise<void> {
    this.log = [];
    this.bytes = 0;
    this.compactIndex = index;
    this.compactTerm = term;
    this.dirtyFrom = Number.POSITIVE_INFINITY;
    this.durableTail = [];
    this.pending = [];
    return Promise.resolve();
  }

  sizeBytes(): number {
    return this.bytes;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Twin-only: a power failure. Keeps what the last sync made durable plus the first
   * `keepUnsyncedEntries` entries written since (a torn tail), and drops the rest.
   */
  crash(keepUnsyncedEntries = 0): void {
    const base = this.compactIndex + 1;
    const durable = Number.isFinite(this.dirtyFrom) ? this.log.slice(0, this.dirtyFrom - base).concat(this.durableTail) : this.log;
    let budget = keepUnsyncedEntries;
    const pending = this.pending;
    this.log = durable;
    for (const batch of pending) {
      if (budget <= 0) break;
      const first = batch[0] as Entry;
      if (first.index > this.lastIndex() + 1) break;
      this.truncateFrom(first.index);
      for (const e of batch) {
        if (budget-- <= 0) break;
        this.log.push(e);
      }
    }
    this.bytes = 0;
    for (const e of this.log) this.bytes += e.data.byteLength + ENTRY_OVERHEAD_BYTES;
    this.syncNow();
  }

  /** Entries written since the last sync (twin-only, for the simulator's torn tails). */
  unsyncedEntries(): number {
    let n = 0;
    for (const batch of this.pending) n += batch.length;
    return n;
  }

  private markDirty(at: number): void {
    if (at >= this.dirtyFrom) return;
    const base = this.compactIndex + 1;
    const stillDurable = this.log.slice(at - base, Number.isFinite(this.dirtyFrom) ? this.dirtyFrom - base : this.log.length);
    this.durableTail = stillDurable.concat(this.durableTail);
    this.dirtyFrom = at;
  }

  private truncateFrom(index: number): void {
    const keep = index - this.compactIndex - 1;
    for (let i = keep; i < this.log.length; i++) this.bytes -= (this.log[i] as Entry).data.byteLength + ENTRY_OVERHEAD_BYTES;
    this.log.length = keep;
  }

  private checkBounds(lo: number, hi: number): void {
    if (lo <= this.compactIndex) throw new CompactedError(`index ${lo} is compacted (first index ${this.firstIndex()})`);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(`index ${hi - 1} is past the last index ${this.lastIndex()}`);
  }
}
