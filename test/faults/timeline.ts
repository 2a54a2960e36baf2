/**
 * Renders a run as one self-contained SVG: a lane per fault kind with each nemesis period
 * labelled, then per operation type the latency of every op over time (log scale; colour
 * and shape by outcome), then throughput per time bucket. Fault periods are shaded across
 * all panels so a person can see what each fault did to the clients.
 */
import type { History, NemesisEvent, NemesisKind, OpRecord, Outcome } from './history.js';
import {
  LinearScale, LogScale, decadeTicks, escapeXml, fixed, formatDecade, formatNumber, linearTicks,
} from './timeline-scale.js';

export interface TimelineOptions {
  title?: string;
  /** Default 1200. */
  widthPx?: number;
  /** Height of each latency panel. Default 140. */
  panelHeightPx?: number;
}

export const OUTCOME_COLORS: Record<Outcome, string> = { ok: '#1f77b4', fail: '#d62728', unknown: '#ff7f0e' };
export const NEMESIS_COLORS: Record<NemesisKind, string> = {
  kill: '#8e24aa',
  pause: '#00897b',
  partition: '#795548',
  membership: '#3949ab',
  snapshot: '#7cb342',
  clock: '#d81b60',
};
const NEMESIS_ORDER: NemesisKind[] = ['kill', 'pause', 'partition', 'membership', 'snapshot', 'clock'];
const MARGIN = { left: 100, right: 24 };
const LANE_PX = 20;
const THROUGHPUT_PX = 70;
const GAP_PX = 30;

interface Frame {
  width: number;
  plotLeft: number;
  plotRight: number;
  endMs: number;
  /** Seconds on the axis for runs over 10 s, else milliseconds. */
  unit: 's' | 'ms';
  x: LinearScale;
}

export function renderTimeline(history: History, options: TimelineOptions = {}): string {
  const width = options.widthPx ?? 1200;
  const panelPx = options.panelHeightPx ?? 140;
  const frame = makeFrame(history, width);
  const kinds = NEMESIS_ORDER.filter((k) => history.nemesis.some((e) => e.nemesis === k));
  const types = [...new Set(history.ops.map((op) => op.f))].sort();
  const body: string[] = [];
  let y = 20;
  body.push(title(history, options.title, frame, y));
  y += 26;
  body.push(legend(history, kinds, frame, y));
  y += 22;
  const lanesTop = y;
  body.push(nemesisLanes(history.nemesis, kinds, frame, lanesTop));
  y += Math.max(1, kinds.length) * LANE_PX + GAP_PX;
  const latency = latencyDomain(history.ops);
  for (const f of types) {
    body.push(latencyPanel(history.ops.filter((op) => op.f === f), f, latency, frame, y, panelPx));
    y += panelPx + GAP_PX;
  }
  body.push(throughputPanel(history.ops, frame, y));
  y += THROUGHPUT_PX;
  const shading = shade(history.nemesis, frame, lanesTop, y);
  body.push(timeAxis(frame, y));
  y += 46;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${y}" fill="#ffffff"/>`,
    shading, // under everything else, so dots stay readable
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function makeFrame(history: History, width: number): Frame {
  let endMs = Math.max(1, history.meta?.durationMs ?? 0);
  // Loops, not Math.max(...): a long run has more ops than the call stack has room for.
  for (const op of history.ops) endMs = Math.max(endMs, op.completeMs);
  for (const event of history.nemesis) endMs = Math.max(endMs, event.endMs);
  const plotLeft = MARGIN.left;
  const plotRight = width - MARGIN.right;
  return { width, plotLeft, plotRight, endMs, unit: endMs > 10_000 ? 's' : 'ms', x: new LinearScale(endMs, plotLeft, plotRight) };
}

function latencyDomain(ops: readonly OpRecord[]): { min: number; max: number } {
  let lo = Infinity;
  let hi = 0;
  for (const op of ops) {
    const latency = op.completeMs - op.invokeMs;
    if (latency > 0) {
      lo = Math.min(lo, latency);
      hi = Math.max(hi, latency);
    }
  }
  if (hi === 0) [lo, hi] = [1, 10];
  const min = 10 ** Math.floor(Math.log10(Math.max(lo, 0.01)));
  const max = Math.max(min * 10, 10 ** Math.ceil(Math.log10(hi)));
  return { min, max };
}

function title(history: History, text: string | undefined, frame: Frame, y: number): string {
  const meta = history.meta;
  const seconds = (frame.endMs / 1000).toFixed(1);
  const heading = text ?? `${meta?.workload ?? 'fault run'}: ${history.ops.length} ops, ${history.nemesis.length} faults, ${seconds} s`;
  const command = meta?.command ? `<tspan fill="#555" dx="14">${escapeXml(meta.command)}</tspan>` : '';
  return `<text x="${MARGIN.left}" y="${y}"><tspan font-size="15" font-weight="bold">${escapeXml(heading)}</tspan>${command}</text>`;
}

function legend(history: History, kinds: readonly NemesisKind[], frame: Frame, y: number): string {
  const parts: string[] = [];
  let x = frame.plotLeft;
  const count = (o: Outcome): number => history.ops.filter((op) => op.outcome === o).length;
  for (const outcome of ['ok', 'fail', 'unknown'] as const) {
    parts.push(marker(outcome, x + 5, y - 4, 1.6));
    const label = `${outcome === 'unknown' ? 'unknown (timed out / lost; drawn at give-up)' : outcome} ${count(outcome)}`;
    parts.push(`<text x="${x + 14}" y="${y}">${escapeXml(label)}</text>`);
    x += 30 + label.length * 6.2;
  }
  x += 16;
  for (const kind of kinds) {
    parts.push(`<rect x="${x}" y="${y - 10}" width="14" height="12" fill="${NEMESIS_COLORS[kind]}" fill-opacity="0.35" stroke="${NEMESIS_COLORS[kind]}"/>`);
    parts.push(`<text x="${x + 19}" y="${y}">${kind}</text>`);
    x += 30 + kind.length * 6.5;
  }
  return parts.join('\n');
}

/** The outcome's mark: a dot for ok, a bigger dot for fail, a cross for unknown. */
function marker(outcome: Outcome, x: number, y: number, scale = 1): string {
  const color = OUTCOME_COLORS[outcome];
  if (outcome === 'unknown') {
    const d = 3 * scale;
    return `<path d="M${fixed(x - d)},${fixed(y - d)}L${fixed(x + d)},${fixed(y + d)}M${fixed(x - d)},${fixed(y + d)}L${fixed(x + d)},${fixed(y - d)}" stroke="${color}" stroke-width="1.4"/>`;
  }
  const r = (outcome === 'fail' ? 2.6 : 1.7) * scale;
  const opacity = outcome === 'ok' && scale === 1 ? ' fill-opacity="0.45"' : '';
  return `<circle cx="${fixed(x)}" cy="${fixed(y)}" r="${r}" fill="${color}"${opacity}/>`;
}

function nemesisLanes(events: readonly NemesisEvent[], kinds: readonly NemesisKind[], frame: Frame, top: number): string {
  if (kinds.length === 0) {
    return `<text x="${frame.plotLeft}" y="${top + 13}" fill="#555">no faults injected in this run</text>`;
  }
  const parts: string[] = [];
  kinds.forEach((kind, lane) => {
    const y = top + lane * LANE_PX;
    const color = NEMESIS_COLORS[kind];
    parts.push(`<text x="${frame.plotLeft - 8}" y="${y + 14}" text-anchor="end" fill="${color}" font-weight="bold">${kind}</text>`);
    parts.push(`<line x1="${frame.plotLeft}" x2="${frame.plotRight}" y1="${y + LANE_PX / 2}" y2="${y + LANE_PX / 2}" stroke="#eee"/>`);
    const ofKind = events.filter((e) => e.nemesis === kind).sort((a, b) => a.startMs - b.startMs);
    let freeX = frame.plotLeft; // labels never overlap: one that would is left to the tooltip
    for (const event of ofKind) {
      const drawn = nemesisBar(event, color, frame, y, freeX);
      parts.push(drawn.svg);
      freeX = Math.max(freeX, drawn.rightPx);
    }
  });
  return parts.join('\n');
}

function nemesisBar(event: NemesisEvent, color: string, frame: Frame, y: number, freeX: number): { svg: string; rightPx: number } {
  const x1 = frame.x.px(event.startMs);
  const x2 = Math.max(frame.x.px(event.endMs), x1 + 2);
  const label = escapeXml(event.label);
  const tip = `<title>${label}: ${fixed(event.startMs)}-${fixed(event.endMs)} ms</title>`;
  const bar = `<rect x="${fixed(x1)}" y="${y + 3}" width="${fixed(x2 - x1)}" height="${LANE_PX - 6}" fill="${color}" fill-opacity="0.55" rx="2">${tip}</rect>`;
  // The label goes inside a bar wide enough, else just right of it if there is room.
  const labelPx = event.label.length * 6 + 6;
  const inside = x2 - x1 > labelPx;
  const tx = inside ? x1 + 4 : x2 + 3;
  if (tx < freeX || (!inside && tx + labelPx > frame.plotRight)) return { svg: bar, rightPx: x2 };
  const fill = inside ? '#fff' : color;
  const text = `<text x="${fixed(tx)}" y="${y + 14}" fill="${fill}" font-size="10">${label}</text>`;
  return { svg: bar + text, rightPx: Math.max(x2, tx + labelPx) };
}

function shade(events: readonly NemesisEvent[], frame: Frame, top: number, bottom: number): string {
  return events
    .map((event) => {
      const color = NEMESIS_COLORS[event.nemesis];
      const x1 = frame.x.px(event.startMs);
      const x2 = frame.x.px(event.endMs);
      if (x2 - x1 < 1.5) {
        return `<line x1="${fixed(x1)}" x2="${fixed(x1)}" y1="${top}" y2="${bottom}" stroke="${color}" stroke-dasharray="4 3" stroke-opacity="0.8"/>`;
      }
      return `<rect x="${fixed(x1)}" y="${top}" width="${fixed(x2 - x1)}" height="${bottom - top}" fill="${color}" fill-opacity="0.10"/>`;
    })
    .join('\n');
}

function latencyPanel(ops: readonly OpRecord[], f: string, domain: { min: number; max: number }, frame: Frame, top: number, height: number): string {
  const bottom = top + height;
  const y = new LogScale(domain.min, domain.max, bottom, top);
  const parts = [`<rect x="${frame.plotLeft}" y="${top}" width="${frame.plotRight - frame.plotLeft}" height="${height}" fill="none" stroke="#999"/>`];
  for (const tick of decadeTicks(domain.min, domain.max)) {
    const ty = fixed(y.px(tick));
    parts.push(`<line x1="${frame.plotLeft}" x2="${frame.plotRight}" y1="${ty}" y2="${ty}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${frame.plotLeft - 5}" y="${ty}" dy="3.5" text-anchor="end" fill="#444">${formatDecade(tick)}</text>`);
  }
  const counts = (['ok', 'fail', 'unknown'] as const).map((o) => `${ops.filter((op) => op.outcome === o).length} ${o}`);
  parts.push(panelHeader(f, `latency in ms (log scale), by invocation time  ·  ${counts.join(', ')}`, frame, top));
  for (const outcome of ['ok', 'fail', 'unknown'] as const) parts.push(dots(ops, outcome, frame, y));
  return parts.join('\n');
}

/** One mark per cell and outcome (2 px for the many ok dots, 1 px for the rare others):
 *  long runs stay files a browser opens, and no failure is hidden. */
function dots(ops: readonly OpRecord[], outcome: Outcome, frame: Frame, y: LogScale): string {
  const grid = outcome === 'ok' ? 2 : 1;
  const seen = new Set<string>();
  const marks: string[] = [];
  for (const op of ops) {
    if (op.outcome !== outcome) continue;
    const px = frame.x.px(op.invokeMs);
    const py = y.px(Math.max(op.completeMs - op.invokeMs, y.min));
    const cell = `${Math.round(px / grid)},${Math.round(py / grid)}`;
    if (seen.has(cell)) continue;
    seen.add(cell);
    marks.push(marker(outcome, px, py));
  }
  return marks.join('');
}

function throughputPanel(ops: readonly OpRecord[], frame: Frame, top: number): string {
  const plotWidth = frame.plotRight - frame.plotLeft;
  const buckets = Math.max(1, Math.min(300, Math.floor(plotWidth / 3)));
  const bucketMs = frame.endMs / buckets;
  const counts = Array.from({ length: buckets }, () => ({ ok: 0, fail: 0, unknown: 0 }));
  for (const op of ops) {
    const bucket = counts[Math.min(buckets - 1, Math.floor(op.completeMs / bucketMs))];
    if (bucket) bucket[op.outcome]++;
  }
  const perSecond = 1000 / bucketMs;
  const maxRate = Math.max(1, ...counts.map((c) => (c.ok + c.fail + c.unknown) * perSecond));
  const height = THROUGHPUT_PX;
  const bottom = top + height;
  const y = new LinearScale(maxRate, bottom, top);
  const parts = [`<rect x="${frame.plotLeft}" y="${top}" width="${plotWidth}" height="${height}" fill="none" stroke="#999"/>`];
  for (const tick of linearTicks(maxRate, 3)) {
    parts.push(`<text x="${frame.plotLeft - 5}" y="${fixed(y.px(tick))}" dy="3.5" text-anchor="end" fill="#444">${formatNumber(tick)}</text>`);
  }
  parts.push(panelHeader('throughput', 'ops completed per second, by outcome', frame, top));
  const barWidth = plotWidth / buckets;
  counts.forEach((c, i) => {
    let base = bottom;
    for (const outcome of ['ok', 'fail', 'unknown'] as const) {
      const h = bottom - y.px(c[outcome] * perSecond);
      if (h <= 0) continue;
      base -= h;
      parts.push(`<rect x="${fixed(frame.plotLeft + i * barWidth)}" y="${fixed(base)}" width="${fixed(Math.max(barWidth - 0.5, 0.5))}" height="${fixed(h)}" fill="${OUTCOME_COLORS[outcome]}" fill-opacity="0.8"/>`);
    }
  });
  return parts.join('\n');
}

/** The panel's name in bold and what it shows, just above its top-left corner. */
function panelHeader(name: string, detail: string, frame: Frame, top: number): string {
  return `<text x="${frame.plotLeft}" y="${top - 5}"><tspan font-size="13" font-weight="bold">${escapeXml(name)}</tspan><tspan fill="#555" dx="8">${escapeXml(detail)}</tspan></text>`;
}

function timeAxis(frame: Frame, top: number): string {
  const divisor = frame.unit === 's' ? 1000 : 1;
  const parts: string[] = [];
  for (const tick of linearTicks(frame.endMs / divisor, 12)) {
    const x = fixed(frame.x.px(tick * divisor));
    parts.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${top + 5}" stroke="#444"/>`);
    parts.push(`<text x="${x}" y="${top + 17}" text-anchor="middle" fill="#444">${formatNumber(tick)}</text>`);
  }
  const label = frame.unit === 's' ? 'time since the run started (s)' : 'time since the run started (ms)';
  parts.push(`<text x="${(frame.plotLeft + frame.plotRight) / 2}" y="${top + 35}" text-anchor="middle">${label}</text>`);
  return parts.join('\n');
}
