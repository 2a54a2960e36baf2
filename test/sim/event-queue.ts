/**
 * The simulator's agenda: events ordered by simulated time, ties broken by insertion
 * order, so a seed always replays the same interleaving. A binary heap.
 */
export interface SimEvent {
  readonly time: number;
  readonly seq: number;
  readonly run: () => void;
}

export class EventQueue {
  private heap: SimEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, run: () => void): void {
    const e = { time, seq: this.seq++, run };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, h[parent] as SimEvent)) break;
      h[i] = h[parent] as SimEvent;
      i = parent;
    }
    h[i] = e;
  }

  /** The earliest event if it is due before `limit`, removed from the queue. */
  popBefore(limit: number): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    if (top === undefined || top.time >= limit) return undefined;
    const last = h.pop() as SimEvent;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const child = r < h.length && before(h[r] as SimEvent, h[l] as SimEvent) ? r : l;
        if (!before(h[child] as SimEvent, last)) break;
        h[i] = h[child] as SimEvent;
        i = child;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: SimEvent, b: SimEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
