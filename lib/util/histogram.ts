/**
 * A fixed-bucket histogram in the shape Prometheus expects: cumulative counts per upper
 * bound, a sum and a count. Observing is a short linear scan over a dozen buckets.
 */
export class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;

  /** Upper bounds, ascending (in the unit observed, e.g. seconds). */
  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= (this.bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }

  /** Cumulative count at or below each bound. */
  cumulative(): number[] {
    let running = 0;
    return this.counts.map((c) => (running += c));
  }
}

/** Latency buckets in seconds, from 50 µs to 10 s. */
export const LATENCY_BUCKETS_S: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
