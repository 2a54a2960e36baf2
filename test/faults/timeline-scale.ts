/** Axis arithmetic and SVG text helpers for the timeline: nice ticks, log ticks, escaping. */

/** A step of 1, 2 or 5 times a power of ten giving about `target` ticks over `span`. */
export function niceStep(span: number, target: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, target);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Tick values from 0 to `max` (inclusive when it falls on a step). */
export function linearTicks(max: number, target: number): number[] {
  const step = niceStep(max, target);
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Decades covering [min, max]: 0.1, 1, 10, 100... */
export function decadeTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) ticks.push(10 ** e);
  return ticks;
}

export class LogScale {
  private readonly lo: number;
  private readonly hi: number;

  /** Maps [min, max] (both > 0) to pixels [bottom, top]. */
  constructor(
    readonly min: number,
    readonly max: number,
    private readonly bottomPx: number,
    private readonly topPx: number,
  ) {
    this.lo = Math.log10(min);
    this.hi = Math.log10(max);
  }

  px(value: number): number {
    const clamped = Math.min(this.max, Math.max(this.min, value));
    const t = (Math.log10(clamped) - this.lo) / (this.hi - this.lo || 1);
    return this.bottomPx + (this.topPx - this.bottomPx) * t;
  }
}

export class LinearScale {
  constructor(
    private readonly domainMax: number,
    private readonly fromPx: number,
    private readonly toPx: number,
  ) {}

  px(value: number): number {
    return this.fromPx + ((this.toPx - this.fromPx) * value) / (this.domainMax || 1);
  }
}

/** "0.1", "1", "10", "1k", "10k" (ms): short labels for decades. */
export function formatDecade(value: number): string {
  if (value >= 1000) return `${value / 1000}k`;
  return value >= 1 ? String(value) : value.toPrecision(1);
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value) || 1))));
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function fixed(value: number): string {
  return value.toFixed(1);
}
