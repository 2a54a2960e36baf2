/**
 * The core's view of its log: stable storage (through RaftStorage) followed by the
 * unstable tail, plus the commit and apply positions (etcd's raftLog).
 */
import { assert } from '../../util/assert.js';
import { Unstable, type PendingSnapshot } from './unstable.js';
import { CompactedError, UnavailableError, type Entry, type RaftStorage } from './types.js';

/** Called for every append with the index the new entries start at (the truncation point). */
export type AppendListener = (entries: readonly Entry[]) => void;

export class RaftLog {
  readonly unstable: Unstable;
  /** Highest index known committed. */
  committed: number;
  /** Highest index the driver confirmed applied (advanced). */
  applied: number;
  /**
   * Asynchronous persistence: committed entries are handed out for applying only up to
   * the last persisted index (a node never applies what it has not made durable). In the
   * default mode every entry handed out is persisted before the next Ready anyway.
   */
  applyOnlyPersisted = false;

  constructor(
    readonly storage: RaftStorage,
    private readonly onAppend: AppendListener,
  ) {
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** The last index the driver confirmed persisted. */
  stableLastIndex(): number {
    return this.unstable.offset - 1;
  }

  lastTerm(): number {
    return this.termOrZero(this.lastIndex());
  }

  /** Term at index, or undefined when it is compacted away or past the end. */
  maybeTerm(index: number): number | undefined {
    if (index >= this.unstable.offset || this.unstable.snapshot !== null) {
      const t = this.unstable.maybeTerm(index);
      if (t !== undefined) return t;
      if (index >= this.unstable.offset) return undefined;
    }
    if (index < this.firstIndex() - 1) return undefined;
    try {
      return this.storage.term(index);
    } catch (err) {
      if (err instanceof CompactedError || err instanceof UnavailableError) return undefined;
      throw err;
    }
  }

  termOrZero(index: number): number {
    return this.maybeTerm(index) ?? 0;
  }

  matchTerm(index: number, term: number): boolean {
    return this.maybeTerm(index) === term;
  }

  /**
   * A follower's append (AppendEntries receiver steps 2 to 5): returns the last index now
   * matching the leader, or -1 when the consistency check at `index` fails.
   */
  maybeAppend(index: number, logTerm: number, leaderCommit: number, entries: readonly Entry[]): number {
    if (!this.matchTerm(index, logTerm)) return -1;
    const lastNew = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(conflict > this.committed, () => `entry ${conflict} conflicts with committed entry (committed ${this.committed})`);
      this.append(entries.slice(conflict - (index + 1)));
    }
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    assert(first.index > this.committed, () => `append at ${first.index} would overwrite committed ${this.committed}`);
    this.unstable.truncateAndAppend(entries);
    this.onAppend(entries);
  }

  /** The first entry whose term differs from ours (or that we lack), or 0 when all match. */
  findConflict(entries: readonly Entry[]): number {
    const last = this.lastIndex();
    for (const e of entries) {
      if (e.index > last || !this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast backtracking: the largest index <= `index` whose term is <= `term`, with that
   * term (0 when unknown). Lets the leader skip a whole term of conflicting entries.
   */
  findConflictByTerm(index: number, term: number): { index: number; term: number } {
    if (index > this.lastIndex()) return { index, term: 0 };
    for (let i = index; i > 0; i--) {
      const t = this.maybeTerm(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
    return { index: 0, term: 0 };
  }

  /** Section 5.4.1: is a candidate's log at least as up-to-date as ours? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    assert(index <= this.lastIndex(), () => `commit ${index} is past the last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  appliedTo(index: number): void {
    if (index > this.applied) this.applied = index;
  }

  /** The highest index that may be applied now. */
  private applicableIndex(): number {
    return this.applyOnlyPersisted ? Math.min(this.committed, this.stableLastIndex()) : this.committed;
  }

  hasNextCommittedEntries(): boolean {
    if (this.unstable.snapshot !== null) return false;
    return this.applicableIndex() > Math.max(this.applied, this.firstIndex() - 1);
  }

  /** Committed entries not yet applied, at most maxBytes of data (at least one). */
  nextCommittedEntries(maxBytes: number): Entry[] {
    if (this.unstable.snapshot !== null) return [];
    const lo = Math.max(this.applied + 1, this.firstIndex());
    const hi = this.applicableIndex();
    if (lo > hi) return [];
    return this.slice(lo, hi + 1, maxBytes);
  }

  /** Entries in [lo, hi) with at most maxBytes of data (at least one entry). */
  slice(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo >= hi) return [];
    const first = this.firstIndex();
    if (lo < first) throw new CompactedError(`index ${lo} is compacted (first ${first})`);
    const last = this.lastIndex();
    assert(hi <= last + 1, () => `slice [${lo}, ${hi}) is past the last index ${last}`);
    const offset = this.unstable.offset;
    let out: Entry[] = [];
    let budget = maxBytes;
    if (lo < offset) {
      const storageHi = Math.min(hi, offset);
      out = this.storage.entries(lo, storageHi, maxBytes);
      if (out.length < storageHi - lo) return out;
      for (const e of out) budget -= e.data.byteLength;
      if (budget <= 0 || hi <= offset) return out;
    }
    // Walk the sizes first so a long unstable tail is never copied just to be cut.
    const from = Math.max(lo, offset);
    const held = this.unstable.entries;
    let end = from;
    while (end < hi) {
      budget -= (held[end - offset] as Entry).data.byteLength;
      if (budget < 0 && (end > from || out.length > 0)) break;
      end++;
    }
    const tail = this.unstable.slice(from, end);
    if (out.length === 0) return tail;
    for (const e of tail) out.push(e);
    return out;
  }

  stableTo(index: number, term: number): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: number): void {
    this.unstable.stableSnapTo(index);
  }

  restore(snapshot: PendingSnapshot): void {
    this.committed = snapshot.meta.index;
    this.unstable.restore(snapshot);
  }

  /** Entries not yet confirmed persisted (a copy: the core keeps changing its own). */
  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }
}
