/**
 * The append messages in flight to one follower, as the last index each carried: a
 * bounded ring (etcd's tracker/inflights). When it is full the leader stops sending new
 * entries until acknowledgements free slots.
 */
export class Inflights {
  private readonly buffer: number[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.buffer = new Array<number>(capacity).fill(0);
  }

  add(lastIndex: number): void {
    if (this.count === this.capacity) throw new Error('inflights: add to a full window');
    this.buffer[(this.start + this.count) % this.capacity] = lastIndex;
    this.count++;
  }

  /** Frees every message whose last index is <= index (they were acknowledged). */
  freeLE(index: number): void {
    while (this.count > 0 && (this.buffer[this.start] as number) <= index) {
      this.start = (this.start + 1) % this.capacity;
      this.count--;
    }
  }

  full(): boolean {
    return this.count === this.capacity;
  }

  size(): number {
    return this.count;
  }

  reset(): void {
    this.start = 0;
    this.count = 0;
  }
}
