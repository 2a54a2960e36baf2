/**
 * Rebuilds the in-memory log from the records of all segments, in order. The rules
 * mirror what the live store did, and stay right when older segments were deleted by
 * compaction (see file-log.ts for why deletions keep these rules sound):
 *
 * - header, reset mode: drop everything; the log restarts after (base, term).
 * - header, continue mode, and compact records: drop entries up to the index; the base
 *   becomes (index, term).
 * - entries from i: replace what is held from i on (a follower's conflict). If i is past
 *   the end, the entries before it were in deleted segments: the base becomes i - 1 with
 *   its term not yet known; a later compact record or header must cover it.
 */
import type { Entry } from '../core/types.js';
import { HeaderMode, RecordType, type LogRecord } from './log-records.js';

export interface ReplayedLog {
  readonly baseIndex: number;
  /** null when entries were found after a gap that no later compaction covered. */
  readonly baseTerm: number | null;
  readonly entries: Entry[];
}

export class LogReplay {
  private baseIndex = 0;
  private baseTerm: number | null = null;
  private entries: Entry[] = [];

  apply(record: LogRecord): void {
    switch (record.type) {
      case RecordType.Header:
        if (record.mode === HeaderMode.Reset) this.resetTo(record.baseIndex, record.baseTerm);
        else this.compactTo(record.baseIndex, record.baseTerm);
        return;
      case RecordType.Compact:
        this.compactTo(record.index, record.term);
        return;
      case RecordType.Entries:
        this.appendFrom(record.firstIndex, record.entries);
        return;
    }
  }

  result(): ReplayedLog {
    return { baseIndex: this.baseIndex, baseTerm: this.baseTerm, entries: this.entries };
  }

  private get lastIndex(): number {
    return this.baseIndex + this.entries.length;
  }

  private resetTo(index: number, term: number): void {
    this.baseIndex = index;
    this.baseTerm = term;
    this.entries = [];
  }

  private compactTo(index: number, term: number): void {
    if (index < this.baseIndex) return;
    if (index === this.baseIndex) {
      this.baseTerm = term;
      return;
    }
    this.entries = index >= this.lastIndex ? [] : this.entries.slice(index - this.baseIndex);
    this.baseIndex = index;
    this.baseTerm = term;
  }

  private appendFrom(first: number, records: readonly Entry[]): void {
    if (records.length === 0) return;
    if (first > this.lastIndex + 1) {
      this.baseIndex = first - 1;
      this.baseTerm = null;
      this.entries = [];
    }
    const skip = Math.max(0, this.baseIndex + 1 - first);
    this.entries.length = Math.max(0, first + skip - this.baseIndex - 1);
    for (let i = skip; i < records.length; i++) this.entries.push(records[i]!);
  }
}
