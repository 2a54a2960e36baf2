/**
 * The expiry times of one database: an indexed binary min-heap ordered by (time, key).
 *
 * Why a heap: active expiry must find the keys that are due without looking at the others,
 * so a tick costs O(due keys * log n) even with a million keys. Why indexed: changing or
 * removing one key's TTL (PERSIST, SET, EXPIRE) must be O(log n) without leaving stale
 * entries behind. Why ordered by key as well as time: every replica must expire the same
 * keys in the same order, and a replica restored from a snapshot builds a heap with another
 * layout; a total order makes the pop sequence depend only on the set of entries.
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

export class ExpiryHeap {
  private times: ExpireAt[] = [];
  private keys: string[] = [];
  private readonly position = new Map<string, number>();

  get size(): number {
    return this.keys.length;
  }

  get(key: string): ExpireAt | undefined {
    const i = this.position.get(key);
    return i === undefined ? undefined : this.times[i];
  }

  /** Sets or changes the expiry of key. */
  set(key: string, at: ExpireAt): void {
    const i = this.position.get(key);
    if (i === undefined) {
      const n = this.keys.length;
      this.keys.push(key);
      this.times.push(at);
      this.position.set(key, n);
      this.up(n);
      return;
    }
    const before = this.times[i] as ExpireAt;
    this.times[i] = at;
    if (at < before) this.up(i);
    else this.down(i);
  }

  /** Removes key's expiry; false when it had none. */
  delete(key: string): boolean {
    const i = this.position.get(key);
    if (i === undefined) return false;
    this.removeAt(i);
    return true;
  }

  /** The key that expires first (ties broken by key), or undefined when empty. */
  peekKey(): string | undefined {
    return this.keys[0];
  }

  peekTime(): ExpireAt | undefined {
    return this.times[0];
  }

  clear(): void {
    this.times = [];
    this.keys = [];
    this.position.clear();
  }

  /** Entries in heap order (for snapshots; order carries no meaning). */
  *entries(): IterableIterator<[string, ExpireAt]> {
    for (let i = 0; i < this.keys.length; i++) yield [this.keys[i] as string, this.times[i] as ExpireAt];
  }

  private removeAt(i: number): void {
    const last = this.keys.length - 1;
    const key = this.keys[i] as string;
    this.position.delete(key);
    if (i !== last) {
      this.move(last, i);
      this.keys.pop();
      this.times.pop();
      this.down(i);
      this.up(i);
    } else {
      this.keys.pop();
      this.times.pop();
    }
  }

  /** Copies entry `from` into slot `to` (the caller takes care of `from`'s old slot). */
  private move(from: number, to: number): void {
    const key = this.keys[from] as string;
    this.keys[to] = key;
    this.times[to] = this.times[from] as ExpireAt;
    this.position.set(key, to);
  }

  private less(i: number, j: number): boolean {
    const a = this.times[i] as ExpireAt;
    const b = this.times[j] as ExpireAt;
    if (a < b) return true;
    if (a > b) return false;
    return (this.keys[i] as string) < (this.keys[j] as string);
  }

  private swap(i: number, j: number): void {
    const ki = this.keys[i] as string;
    const ti = this.times[i] as ExpireAt;
    this.move(j, i);
    this.keys[j] = ki;
    this.times[j] = ti;
    this.position.set(ki, j);
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
    const n = this.keys.length;
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
