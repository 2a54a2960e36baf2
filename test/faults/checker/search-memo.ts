/**
 * The search's memory: which ops are linearized, and which {linearized set, state} pairs
 * were already explored. Kept compact because a long run has 100k+ ops per key and the
 * memo may hold millions of entries: storing a whole bitset per entry (as Porcupine
 * does) would cost O(ops) bytes each.
 *
 * The trick: ops that returned ("definite") take bits [0, d) in call order, unknown ops
 * the bits after, from a word boundary. In a just-in-time search every definite op
 * before `low` (the first one not linearized) is linearized and none after `high` (the
 * last one linearized) is, so a set is fully described by low, high, the few words
 * between them, and the unknown ops' words.
 */
import { rngFromSeed } from '../../../lib/util/rng.js';

export class LinearizedSet {
  private readonly bits: Uint32Array;
  /** Bit index of each op. */
  private readonly bitOf: Int32Array;
  private readonly definite: number;
  private readonly unknownWord: number;
  private readonly zobrist: Uint32Array;
  /** XOR of a random word per member: O(1) to update, the memo's hash. */
  hash = 0;
  /** First definite bit not set. */
  low = 0;
  /** Last definite bit set, or -1. */
  high = -1;

  constructor(returns: readonly boolean[]) {
    this.bitOf = new Int32Array(returns.length);
    let definite = 0;
    returns.forEach((returned, op) => {
      if (returned) this.bitOf[op] = definite++;
    });
    this.definite = definite;
    this.unknownWord = Math.ceil(definite / 32);
    let unknown = this.unknownWord * 32;
    returns.forEach((returned, op) => {
      if (!returned) this.bitOf[op] = unknown++;
    });
    this.bits = new Uint32Array(Math.ceil(unknown / 32) + 1);
    const rng = rngFromSeed(0x5eed);
    this.zobrist = new Uint32Array(returns.length);
    for (let i = 0; i < returns.length; i++) this.zobrist[i] = rng.next32();
  }

  has(op: number): boolean {
    return this.bitSet(this.bitOf[op] as number);
  }

  private bitSet(bit: number): boolean {
    return (((this.bits[bit >>> 5] as number) >>> (bit & 31)) & 1) === 1;
  }

  private flip(op: number): number {
    const bit = this.bitOf[op] as number;
    this.bits[bit >>> 5] = ((this.bits[bit >>> 5] as number) ^ (1 << (bit & 31))) >>> 0;
    this.hash = (this.hash ^ (this.zobrist[op] as number)) >>> 0;
    return bit;
  }

  /** Adds op. The caller keeps the previous low/high to pass back to remove(). */
  add(op: number): void {
    const bit = this.flip(op);
    if (bit >= this.definite) return;
    if (bit > this.high) this.high = bit;
    if (bit === this.low) {
      do this.low++;
      while (this.low < this.definite && this.bitSet(this.low));
    }
  }

  remove(op: number, low: number, high: number): void {
    this.flip(op);
    this.low = low;
    this.high = high;
  }

  /** Word range [from, to] between low and high (empty when to < from). */
  private window(): [number, number] {
    const from = this.low >>> 5;
    return [from, this.high >= this.low ? this.high >>> 5 : from - 1];
  }

  /** The set in compact form: the window's words, then the unknown ops' words. */
  compact(): Uint32Array {
    const [from, to] = this.window();
    const windowWords = Math.max(0, to - from + 1);
    const out = new Uint32Array(windowWords + this.bits.length - this.unknownWord);
    out.set(this.bits.subarray(from, from + windowWords), 0);
    out.set(this.bits.subarray(this.unknownWord), windowWords);
    return out;
  }

  /** Equal to a set stored as (low, high, compact words)? */
  equals(low: number, high: number, words: Uint32Array): boolean {
    if (low !== this.low || high !== this.high) return false;
    const [from, to] = this.window();
    let i = 0;
    for (let w = from; w <= to; w++) if (words[i++] !== this.bits[w]) return false;
    for (let w = this.unknownWord; w < this.bits.length; w++) if (words[i++] !== this.bits[w]) return false;
    return true;
  }
}

interface MemoEntry {
  stateId: number;
  low: number;
  high: number;
  words: Uint32Array;
}

/** Explored {linearized set, model state} pairs. */
export class Memo {
  private readonly table = new Map<number, MemoEntry[]>();
  size = 0;

  /** Records the current pair; false when it was explored before. */
  add(set: LinearizedSet, stateId: number): boolean {
    const key = (set.hash ^ Math.imul(stateId + 1, 0x9e3779b1)) >>> 0;
    let bucket = this.table.get(key);
    if (!bucket) this.table.set(key, (bucket = []));
    for (const entry of bucket) {
      if (entry.stateId === stateId && set.equals(entry.low, entry.high, entry.words)) return false;
    }
    bucket.push({ stateId, low: set.low, high: set.high, words: set.compact() });
    this.size++;
    return true;
  }
}
