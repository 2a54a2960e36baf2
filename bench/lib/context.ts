/** What every part of the benchmark gets: where to put data, how many rounds, how big. */

export interface BenchContext {
  /** A fresh directory on the disk under test; each part makes its own subdirectory. */
  readonly dir: string;
  /** Repetitions of each throughput measurement (interleaved; the median is reported). */
  readonly rounds: number;
  /** Multiplies request counts (1 = the figures; less for a quick look). */
  readonly scale: number;
  /** Keys for the memory and restart parts. */
  readonly keys: number;
  readonly failovers: number;
  /** Progress lines go to stderr so stdout stays clean Markdown. */
  progress(message: string): void;
}

export function scaled(ctx: BenchContext, requests: number): number {
  return Math.max(1000, Math.round(requests * ctx.scale));
}

/** A bound for one redis-benchmark run of `requests` at no less than `minRps`. */
export function boundMs(requests: number, minRps = 2000): number {
  return Math.round(30_000 + (requests / minRps) * 1000);
}
