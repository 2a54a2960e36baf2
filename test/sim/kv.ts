/**
 * The replicated state machine under test: a register per key. Every write is
 * `set key value` with a globally unique value; each key remembers the index of the
 * entry that wrote it, which the read checker uses. It also tracks the configuration
 * as of the applied index (for snapshot metadata), as the real framework must.
 */
import { decodeConfChange } from '../../lib/raft/core/conf-change-codec.js';
import { applyChange } from '../../lib/raft/core/membership.js';
import { EntryKind, type ConfState, type Entry } from '../../lib/raft/core/types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Write {
  readonly client: number;
  readonly seq: number;
  readonly key: string;
  readonly value: string;
}

export function encodeWrite(w: Write): Uint8Array {
  return encoder.encode(`${w.client}|${w.seq}|${w.key}|${w.value}`);
}

export function decodeWrite(data: Uint8Array): Write {
  const [client, seq, key, value] = decoder.decode(data).split('|');
  return { client: Number(client), seq: Number(seq), key: key as string, value: value as string };
}

export interface Cell {
  readonly value: string;
  /** Log index of the entry that wrote it. */
  readonly index: number;
}

export interface KvSnapshot {
  readonly cells: [string, string, number][];
  /** Recent writes, to make snapshots span several chunks. */
  readonly recent: string[];
}

export class KvMachine {
  cells = new Map<string, Cell>();
  appliedIndex = 0;
  appliedTerm = 0;
  conf: ConfState;
  private recent: string[] = [];

  constructor(conf: ConfState) {
    this.conf = conf;
  }

  /** Applies one committed entry; returns the write it made, if any. */
  apply(e: Entry): Write | null {
    this.appliedIndex = e.index;
    this.appliedTerm = e.term;
    if (e.kind === EntryKind.ConfChange) {
      this.conf = applyChange(this.conf, decodeConfChange(e.data));
      return null;
    }
    if (e.data.byteLength === 0) return null;
    const w = decodeWrite(e.data);
    this.cells.set(w.key, { value: w.value, index: e.index });
    this.recent.push(w.value);
    if (this.recent.length > 24) this.recent.shift();
    return w;
  }

  read(key: string): Cell {
    return this.cells.get(key) ?? { value: '', index: 0 };
  }

  snapshot(): KvSnapshot {
    return { cells: [...this.cells].map(([k, c]) => [k, c.value, c.index]), recent: this.recent.slice() };
  }

  restore(snap: KvSnapshot, index: number, term: number, conf: ConfState): void {
    this.cells = new Map(snap.cells.map(([k, v, i]) => [k, { value: v, index: i }]));
    this.recent = snap.recent.slice();
    this.appliedIndex = index;
    this.appliedTerm = term;
    this.conf = conf;
  }
}
