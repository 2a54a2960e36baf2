/**
 * A run's summary for people (Markdown) and for tools (JSON): ops and outcomes per type
 * with latency percentiles, the faults injected, and each checker's verdict with the
 * first anomalies it found.
 */
import type { History, NemesisKind, OpRecord } from './history.js';
import { combineValidity, type Anomaly, type CheckResult, type Validity } from './checker/verdict.js';

export interface OpTypeSummary {
  f: string;
  total: number;
  ok: number;
  fail: number;
  unknown: number;
  /** Latency of ok ops, ms. */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface RunSummary {
  workload: string;
  command: string | null;
  seed: number | null;
  startedAt: string | null;
  durationMs: number;
  valid: Validity;
  ops: { total: number; ok: number; fail: number; unknown: number; byType: OpTypeSummary[] };
  nemesis: {
    total: number;
    byKind: { nemesis: NemesisKind; count: number; totalMs: number }[];
    events: { nemesis: NemesisKind; label: string; startMs: number; endMs: number }[];
  };
  checkers: { checker: string; valid: Validity; summary: string; anomalyCount: number; stats: Record<string, number>; anomalies: Anomaly[] }[];
}

export interface SummaryOptions {
  /** Anomalies kept per checker. Default 5. */
  anomaliesPerChecker?: number;
}

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

function opTypeSummary(f: string, ops: readonly OpRecord[]): OpTypeSummary {
  const count = (outcome: OpRecord['outcome']): number => ops.filter((op) => op.outcome === outcome).length;
  const latencies = ops.filter((op) => op.outcome === 'ok').map((op) => op.completeMs - op.invokeMs).sort((a, b) => a - b);
  return {
    f,
    total: ops.length,
    ok: count('ok'),
    fail: count('fail'),
    unknown: count('unknown'),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length ? (latencies.at(-1) as number) : null,
  };
}

export function summarizeRun(history: History, results: readonly CheckResult[], options: SummaryOptions = {}): RunSummary {
  const byF = new Map<string, OpRecord[]>();
  let endMs = history.meta?.durationMs ?? 0;
  for (const op of history.ops) {
    const list = byF.get(op.f) ?? [];
    if (list.length === 0) byF.set(op.f, list);
    list.push(op);
    endMs = Math.max(endMs, op.completeMs);
  }
  const byType = [...byF].sort(([a], [b]) => a.localeCompare(b)).map(([f, ops]) => opTypeSummary(f, ops));
  const sum = (field: 'ok' | 'fail' | 'unknown'): number => byType.reduce((acc, t) => acc + t[field], 0);
  const events = [...history.nemesis].sort((a, b) => a.startMs - b.startMs);
  const kinds = [...new Set(events.map((e) => e.nemesis))];
  const keep = options.anomaliesPerChecker ?? 5;
  return {
    workload: history.meta?.workload ?? 'unknown',
    command: history.meta?.command ?? null,
    seed: history.meta?.seed ?? null,
    startedAt: history.meta?.startedAt ?? null,
    durationMs: endMs,
    valid: combineValidity(results.map((r) => r.valid)),
    ops: { total: history.ops.length, ok: sum('ok'), fail: sum('fail'), unknown: sum('unknown'), byType },
    nemesis: {
      total: events.length,
      byKind: kinds.map((nemesis) => {
        const ofKind = events.filter((e) => e.nemesis === nemesis);
        return { nemesis, count: ofKind.length, totalMs: ofKind.reduce((acc, e) => acc + (e.endMs - e.startMs), 0) };
      }),
      events: events.map(({ nemesis, label, startMs, endMs: end }) => ({ nemesis, label, startMs, endMs: end })),
    },
    checkers: results.map((r) => ({
      checker: r.checker,
      valid: r.valid,
      summary: r.summary,
      anomalyCount: r.stats.anomalies ?? r.anomalies.length,
      stats: r.stats,
      anomalies: r.anomalies.slice(0, keep),
    })),
  };
}

export function verdictWord(valid: Validity): string {
  return valid === true ? 'PASS' : valid === false ? 'FAIL' : 'UNDECIDED';
}

const ms = (value: number | null): string => (value === null ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(0));
const seconds = (value: number): string => `${(value / 1000).toFixed(1)} s`;

/** Table cells may not hold a pipe or a newline. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function summaryToMarkdown(summary: RunSummary, maxEventsListed = 40): string {
  const lines = [`# Fault run: ${summary.workload}: ${verdictWord(summary.valid)}`, ''];
  if (summary.command) lines.push(`Command: \`${summary.command}\``, '');
  const facts = [summary.seed !== null ? `seed ${summary.seed}` : '', summary.startedAt ? `started ${summary.startedAt}` : '', `ran ${seconds(summary.durationMs)}`];
  lines.push(facts.filter(Boolean).join(', '), '');
  lines.push('## Operations', '', '| op | total | ok | fail | unknown | p50 ms | p99 ms | max ms |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const t of summary.ops.byType) {
    lines.push(`| ${cell(t.f)} | ${t.total} | ${t.ok} | ${t.fail} | ${t.unknown} | ${ms(t.p50Ms)} | ${ms(t.p99Ms)} | ${ms(t.maxMs)} |`);
  }
  lines.push(`| **all** | ${summary.ops.total} | ${summary.ops.ok} | ${summary.ops.fail} | ${summary.ops.unknown} | | | |`, '');
  lines.push(...faultsSection(summary, maxEventsListed));
  lines.push('## Checkers', '', '| checker | verdict | result |', '|---|---|---|');
  for (const c of summary.checkers) lines.push(`| ${c.checker} | ${verdictWord(c.valid)} | ${cell(c.summary)} |`);
  lines.push('');
  for (const c of summary.checkers.filter((c) => c.anomalies.length > 0)) {
    lines.push(`### ${c.checker}: ${c.anomalyCount} anomalies (first ${c.anomalies.length})`, '');
    for (const a of c.anomalies) {
      lines.push(`- **${a.type}**${a.key !== undefined ? ` on \`${a.key}\`` : ''}: ${a.message}`);
      if (a.witness?.length) lines.push('', '  ```', ...a.witness.map((w) => `  ${w}`), '  ```', '');
    }
    lines.push('');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function faultsSection(summary: RunSummary, maxEventsListed: number): string[] {
  const { nemesis } = summary;
  if (nemesis.total === 0) return ['## Faults', '', 'none injected', ''];
  const lines = ['## Faults', '', '| kind | count | total time |', '|---|---:|---:|'];
  for (const k of nemesis.byKind) lines.push(`| ${k.nemesis} | ${k.count} | ${seconds(k.totalMs)} |`);
  lines.push('', '| from | to | kind | what |', '|---:|---:|---|---|');
  for (const e of nemesis.events.slice(0, maxEventsListed)) {
    lines.push(`| ${seconds(e.startMs)} | ${seconds(e.endMs)} | ${e.nemesis} | ${cell(e.label)} |`);
  }
  if (nemesis.total > maxEventsListed) lines.push('', `(${nemesis.total - maxEventsListed} more in the history file)`);
  lines.push('');
  return lines;
}
