/**
 * On-CPU sampling of a process with Linux perf (software event cpu-clock, so it works
 * in a VM without hardware counters), all threads, while `during` runs. Unlike V8's
 * --cpu-prof (wall-clock samples of the main thread, where time spent preempted inside
 * a syscall counts against that syscall), this shows where CPU time is actually spent:
 * kernel, node/V8 builtins, JIT-compiled JavaScript (named when node runs with
 * --perf-basic-prof), libc.
 */
import { existsSync, rmSync } from 'node:fs';
import { track, capture, commandWorks } from './procs.js';
import { waitUntil } from './kvd-cluster.js';
import { table, fixed } from './markdown.js';

export function perfInstalled(): boolean {
  return commandWorks('perf', ['--version']);
}

export async function recordOnCpu(pid: number, dataFile: string, logFile: string, during: () => Promise<void>): Promise<void> {
  const perf = track('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-p', String(pid), '-o', dataFile], { logFile, timeoutMs: 900_000 });
  await waitUntil('perf to start recording', 10_000, async () => existsSync(dataFile));
  try {
    await during();
  } finally {
    perf.proc.kill('SIGINT');
    await perf.exited;
  }
}

async function report(dataFile: string, sort: string): Promise<[number, string][]> {
  const out = await capture('perf', ['report', '-i', dataFile, '--stdio', '--no-children', '--sort', sort, '-g', 'none'], { timeoutMs: 120_000 });
  const rows: [number, string][] = [];
  for (const line of out.stdout.split('\n')) {
    const m = /^\s+([\d.]+)%\s+(.*\S)\s*$/.exec(line);
    if (m !== null) rows.push([Number(m[1]), m[2]!.replace(/^\[[.k]\]\s+/, '')]);
  }
  return rows;
}

/** Markdown: CPU by binary (kernel / node / JIT / libc) and the top symbols. */
export async function onCpuTables(dataFile: string, top: number): Promise<string> {
  const byDso = await report(dataFile, 'dso');
  const bySym = await report(dataFile, 'dso,sym');
  return [
    table(['on-CPU %', 'where (perf dso)'], byDso.slice(0, 6).map(([share, dso]) => [fixed(share, 1), `\`${dso.replace(/tid \d+/, 'tid N')}\``])),
    '',
    table(['on-CPU %', 'symbol'], bySym.slice(0, top).map(([share, sym]) => [fixed(share, 1), `\`${sym.replace(/\s+/g, ' ').replace(/tid \d+/, 'tid N').slice(0, 140)}\``])),
  ].join('\n');
}

/** node --perf-basic-prof writes /tmp/perf-<pid>.map; it is ours to remove. */
export function removePerfMap(pid: number): void {
  rmSync(`/tmp/perf-${pid}.map`, { force: true });
}
