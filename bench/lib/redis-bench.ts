/**
 * Runs redis-benchmark (bounded in time) with --csv and parses its rows: requests per
 * second and latency percentiles per test. Also reports the CPU the load generator
 * itself used, since it shares the machine's cores with the servers.
 */
import { capture } from './procs.js';
import { reapedChildrenCpuSeconds } from './proc-stats.js';

export interface BenchRow {
  readonly test: string;
  readonly rps: number;
  readonly avgMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface BenchRun {
  readonly command: string;
  readonly rows: BenchRow[];
  readonly generatorCpuSeconds: number;
  readonly wallSeconds: number;
}

function parseCsvLine(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
}

export function parseCsv(text: string): BenchRow[] {
  const lines = text.split('\n').filter((l) => l.startsWith('"'));
  const header = lines[0] !== undefined ? parseCsvLine(lines[0]) : [];
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`redis-benchmark --csv has no column ${name}: ${text.slice(0, 200)}`);
    return i;
  };
  const [test, rps, avg, p50, p99, max] = ['test', 'rps', 'avg_latency_ms', 'p50_latency_ms', 'p99_latency_ms', 'max_latency_ms'].map(col);
  return lines.slice(1).map((line) => {
    const f = parseCsvLine(line);
    const n = (i: number | undefined): number => Number(f[i!]);
    return { test: f[test!] ?? '', rps: n(rps), avgMs: n(avg), p50Ms: n(p50), p99Ms: n(p99), maxMs: n(max) };
  });
}

/** The command line as a user would type it (port shown as PORT: it is random per run). */
export function shown(args: readonly string[]): string {
  const out = ['redis-benchmark'];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-p') {
      out.push('-p', 'PORT');
      i++;
    } else out.push(/[\s"']/.test(a) ? JSON.stringify(a) : a);
  }
  return out.join(' ');
}

export async function redisBenchmark(port: number, args: readonly string[], timeoutMs: number): Promise<BenchRun> {
  const full = ['-h', '127.0.0.1', '-p', String(port), '--csv', ...args]; // a custom command must come last
  const cpuBefore = reapedChildrenCpuSeconds();
  const start = performance.now();
  const result = await capture('redis-benchmark', full, { timeoutMs });
  const wallSeconds = (performance.now() - start) / 1000;
  if (result.code !== 0) {
    throw new Error(`${shown(full)} exited with ${result.code}: ${result.stderr.slice(-500)}${result.stdout.slice(-500)}`);
  }
  const rows = parseCsv(result.stdout);
  const failed = result.stderr.match(/^Error from server: .*$/m);
  if (failed !== null) throw new Error(`${shown(full)}: ${failed[0]}`);
  return { command: shown(full), rows, generatorCpuSeconds: reapedChildrenCpuSeconds() - cpuBefore, wallSeconds };
}

export function row(run: BenchRun, test: string): BenchRow {
  const found = run.rows.find((r) => r.test.toUpperCase() === test.toUpperCase());
  if (found === undefined) throw new Error(`${run.command} printed no ${test} row`);
  return found;
}
