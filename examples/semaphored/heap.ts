/**
 * A binary min-heap whose items remember their position, so an item can be removed or
 * re-keyed in O(log n). The timers (lease ends, wait deadlines, lock-delays) live in
 * these heaps: a tick pops only what is due, and a release or renewal never leaves a
 * stale entry behind.
 *
 * `before` must be a strict total order (ties broken by a unique sequence number): the
 * pop order then depends only on the items, never on the heap's history, which is what
 * lets a snapshot restored into a fresh heap behave exactly like the original.
 */
export interface HeapSlot {
  /** Position in the heap, -1 when the item is in none. */
  heapIndex: number;
}

export class IndexedHeap<T extends HeapSlot> {
  private readonly items: T[] = [];

  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    if (item.heapIndex !== -1) throw new Error('heap item is already in a heap');
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.siftUp(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes the item if it is in this heap; returns whether it was. */
  remove(item: T): boolean {
    const index = item.heapIndex;
    if (index < 0 || this.items[index] !== item) return false;
    const last = this.items.pop() as T; // non-empty: item is in it
    item.heapIndex = -1;
    if (last !== item) {
      this.items[index] = last;
      last.heapIndex = index;
      this.siftDown(index);
      this.siftUp(last.heapIndex);
    }
    return true;
  }

  /** Restores the order after the item's key changed. */
  update(item: T): void {
    if (item.heapIndex < 0 || this.items[item.heapIndex] !== item) throw new Error('heap item is not in this heap');
    this.siftUp(item.heapIndex);
    this.siftDown(item.heapIndex);
  }

  private siftUp(index: number): void {
    const item = this.at(index);
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = this.at(parentIndex);
      if (!this.before(item, parent)) break;
      this.place(parent, index);
      index = parentIndex;
    }
    this.place(item, index);
  }

  private siftDown(index: number): void {
    const item = this.at(index);
    const n = this.items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.before(this.at(right), this.at(left)) ? right : left;
      const childItem = this.at(child);
      if (!this.before(childItem, item)) break;
      this.place(childItem, index);
      index = child;
    }
    this.place(item, index);
  }

  private place(item: T, index: number): void {
    this.items[index] = item;
    item.heapIndex = index;
  }

  private at(index: number): T {
    return this.items[index] as T; // callers stay within bounds
  }
}
