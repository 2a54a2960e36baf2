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
  /** Entries from index compactIndex + 1, starting at array position `head`. */
  private log: Entry[] = [];
  private head = 0;
  /** cumBytes[i]: bytes of log[0..i] (data + overhead), so sizes never touch old entries. */
  private cumBytes: number[] = [];
  private compactIndex = 0;
  private compactTerm = 0;
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
    return this.compactIndex + this.log.length - this.head;
  }

  /** Array position of `index`. */
  private pos(index: number): number {
    return index - this.compactIndex - 1 + this.head;
  }

  term(index: number): number {
    if (index === this.compactIndex) return this.compactTerm;
    this.checkBounds(index, index + 1);
    return (this.log[this.pos(index)] as Entry).term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    this.checkBounds(lo, hi);
    const from = this.pos(lo);
    let size = 0;
    let end = from;
    const stop = this.pos(hi);
    while (end < stop) {
      size += (this.log[end] as Entry).data.byteLength;
      if (size > maxBytes && end > from) break;
      end++;
    }
    return this.log.slice(from, end);
  }

  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index <= this.compactIndex || first.index > this.lastIndex() + 1) {
      throw new RangeError(`append at ${first.index} is not contiguous with [${this.firstIndex()}, ${this.lastIndex()}]`);
    }
    this.markDirty(first.index);
    this.truncateFrom(first.index);
    for (const e of entries) this.push(e);
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
    this.head = this.pos(index + 1);
    this.compactIndex = index;
    this.compactTerm = term;
    // Reclaim the array's dead prefix once it is most of it (amortized O(1) per entry).
    if (this.head > 1024 && this.head * 2 > this.log.length) this.rebase();
    // Dropping old entries is harmless to lose or keep in a crash; model it as durable.
    if (this.durableTail.length > 0) this.durableTail = this.durableTail.filter((e) => e.index > index);
    return Promise.resolve();
  }

  reset(index: number, term: number): Promise<void> {
    this.log = [];
    this.cumBytes = [];
    this.head = 0;
    this.compactIndex = index;
    this.compactTerm = term;
    this.dirtyFrom = Number.POSITIVE_INFINITY;
    this.durableTail = [];
    this.pending = [];
    return Promise.resolve();
  }

  sizeBytes(): number {
    const n = this.log.length;
    if (n === this.head) return 0;
    return (this.cumBytes[n - 1] as number) - (this.head === 0 ? 0 : (this.cumBytes[this.head - 1] as number));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Twin-only: a power failure. Keeps what the last sync made durable plus the first
   * `keepUnsyncedEntries` entries written since (a torn tail), and drops the rest.
   */
  crash(keepUnsyncedEntries = 0): void {
    this.rebase();
    const base = this.compactIndex + 1;
    const durable = Number.isFinite(this.dirtyFrom) ? this.log.slice(0, this.dirtyFrom - base).concat(this.durableTail) : this.log;
    const pending = this.pending;
    this.log = [];
    this.cumBytes = [];
    for (const e of durable) this.push(e);
    let budget = keepUnsyncedEntries;
    for (const batch of pending) {
      if (budget <= 0) break;
      const first = batch[0] as Entry;
      if (first.index > this.lastIndex() + 1) break;
      this.truncateFrom(first.index);
      for (const e of batch) {
        if (budget-- <= 0) break;
        this.push(e);
      }
    }
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
    if (at <= this.lastIndex()) {
      const end = Number.isFinite(this.dirtyFrom) ? this.pos(this.dirtyFrom) : this.log.length;
      this.durableTail = this.log.slice(this.pos(at), end).concat(this.durableTail);
    }
    this.dirtyFrom = at;
  }

  private truncateFrom(index: number): void {
    const keep = this.pos(index);
    if (keep >= this.log.length) return;
    this.log.length = keep;
    this.cumBytes.length = keep;
  }

  private push(e: Entry): void {
    const n = this.log.length;
    this.cumBytes.push((n === 0 ? 0 : (this.cumBytes[n - 1] as number)) + e.data.byteLength + ENTRY_OVERHEAD_BYTES);
    this.log.push(e);
  }

  /** Drops the array's compacted prefix. */
  private rebase(): void {
    if (this.head === 0) return;
    const dropped = this.cumBytes[this.head - 1] as number;
    this.log = this.log.slice(this.head);
    this.cumBytes = this.cumBytes.slice(this.head).map((b) => b - dropped);
    this.head = 0;
  }

  private checkBounds(lo: number, hi: number): void {
    if (lo <= this.compactIndex) throw new CompactedError(`index ${lo} is compacted (first index ${this.firstIndex()})`);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(`index ${hi - 1} is past the last index ${this.lastIndex()}`);
  }
}
