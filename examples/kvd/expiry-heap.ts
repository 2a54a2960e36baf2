/**
 * The expiry times of one database: an indexed binary min-heap of slots ordered by
 * (time, slot).
 *
 * Why a heap: active expiry must find the keys that are due without looking at the others,
 * so a tick costs O(due keys * log n) even with a million keys. Why indexed by slot (see
 * store.ts): changing or removing one key's TTL must be O(log n) without stale entries, and
 * keeping each entry's heap position in a typed array by slot is far cheaper than a Map by
 * key (every sift step updates two positions). Why ordered by slot as well as time: every
 * replica must expire the same keys in the same order, and a replica restored from a
 * snapshot builds a heap with another layout; a total order makes the pop sequence depend
 * only on the set of entries, and slots are the same on every replica (snapshots keep the
 * slot order). Comparing slots rather than keys keeps ties (many keys expiring in the same
 * millisecond) cheap.
 */

/**
 * Absolute expiry time in ms since the Unix epoch. A number when it is a safe integer, a
 * bigint beyond 2^53 (Redis accepts times up to 2^63 - 1 and reports them back exactly).
 * JS compares number and bigint exactly with < and >.
 */
export type ExpireAt = number | bigint;

/** The canonical ExpireAt for an exact integer: a number whenever it is safe. */
export function expireAt(ms: bigint): ExpireAt {
  return ms >= BigInt(Number.MIN_SAFE_INTEGER) && ms <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ms) : ms;
}

const NONE = -1;

export class ExpiryHeap {
  private times: ExpireAt[] = [];
  private slots: number[] = [];
  /** Heap position of each slot's entry, NONE when the slot has no TTL. */
  private position = new Int32Array(0);

  get size(): number {
    return this.slots.length;
  }

  get(slot: number): ExpireAt | undefined {
    const i = this.positionOf(slot);
    return i === NONE ? undefined : this.times[i];
  }

  /** Sets or changes the expiry of slot. */
  set(slot: number, at: ExpireAt): void {
    const i = this.positionOf(slot);
    if (i === NONE) {
      const n = this.slots.length;
      this.ensureCapacity(slot + 1);
      this.slots.push(slot);
      this.times.push(at);
      this.position[slot] = n;
      this.up(n);
      return;
    }
    const before = this.times[i] as ExpireAt;
    this.times[i] = at;
    if (at < before) this.up(i);
    else this.down(i);
  }

  /** Removes slot's expiry; false when it had none. */
  delete(slot: number): boolean {
    const i = this.positionOf(slot);
    if (i === NONE) return false;
    this.position[slot] = NONE;
    const last = this.slots.length - 1;
    if (i !== last) {
      this.place(i, this.slots[last] as number, this.times[last] as ExpireAt);
      this.slots.pop();
      this.times.pop();
      this.down(i);
      this.up(i);
    } else {
      this.slots.pop();
      this.times.pop();
    }
    return true;
  }

  /** The store moved a key to a lower slot (which has no entry): its order can only rise. */
  moveSlot(from: number, to: number): void {
    const i = this.positionOf(from);
    if (i === NONE) return;
    this.position[from] = NONE;
    this.ensureCapacity(to + 1);
    this.slots[i] = to;
    this.position[to] = i;
    this.up(i);
  }

  /** The slot that expires first (ties broken by key), or undefined when empty. */
  peekSlot(): number | undefined {
    return this.slots[0];
  }

  peekTime(): ExpireAt | undefined {
    return this.times[0];
  }

  clear(): void {
    this.times = [];
    this.slots = [];
    this.position = new Int32Array(0);
  }

  private positionOf(slot: number): number {
    return slot < this.position.length ? (this.position[slot] as number) : NONE;
  }

  private ensureCapacity(slots: number): void {
    if (slots <= this.position.length) return;
    const grown = new Int32Array(Math.max(slots, this.position.length * 2, 16)).fill(NONE);
    grown.set(this.position);
    this.position = grown;
  }

  private place(i: number, slot: number, at: ExpireAt): void {
    this.slots[i] = slot;
    this.times[i] = at;
    this.position[slot] = i;
  }

  private less(i: number, j: number): boolean {
    const a = this.times[i] as ExpireAt;
    const b = this.times[j] as ExpireAt;
    if (a < b) return true;
    if (a > b) return false;
    return (this.slots[i] as number) < (this.slots[j] as number);
  }

  private swap(i: number, j: number): void {
    const slot = this.slots[i] as number;
    const at = this.times[i] as ExpireAt;
    this.place(i, this.slots[j] as number, this.times[j] as ExpireAt);
    this.place(j, slot, at);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.slots.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && this.less(right, left) ? right : left;
      if (!this.less(child, i)) return;
      this.swap(i, child);
      i = child;
    }
  }
}
