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
import { table, fixed, int } from './markdown.js';

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

export interface KernelSplit {
  readonly samples: number;
  readonly mainThreadShare: number;
  readonly kernelShare: number;
  /** Kernel samples by the syscall they ran under (or what interrupted user code). */
  readonly bySyscall: [string, number][];
}

/**
 * Reads `perf script -F tid,ip,sym` (one block per sample, leaf frame first): the share
 * of samples on the main thread (tid = pid), in the kernel, and per syscall, found as the
 * frame just below do_syscall_64 (ksys_write, __x64_sys_fdatasync, ...).
 */
export function parsePerfScript(text: string, pid: number): KernelSplit {
  let samples = 0;
  let main = 0;
  let kernel = 0;
  const bySyscall = new Map<string, number>();
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    if (lines.length < 2) continue;
    samples++;
    if (Number(lines[0]!.split(/\s+/)[0]) === pid) main++;
    const frames = lines.slice(1).map((l) => l.split(/\s+/));
    if (!frames[0]![0]!.startsWith('ffffffff')) continue;
    kernel++;
    const names = frames.map((f) => f.slice(1).join(' '));
    const entry = names.findIndex((n) => n.startsWith('do_syscall_64'));
    const key = entry > 0 ? names[entry - 1]! : `(not in a syscall: ${names.find((n) => !/^[a-z_0-9.]+$/.test(n)) ?? names.at(-1)})`;
    bySyscall.set(key, (bySyscall.get(key) ?? 0) + 1);
  }
  const shares = [...bySyscall].map(([k, v]): [string, number] => [k, v / Math.max(1, samples)]).sort((x, y) => y[1] - x[1]);
  return { samples, mainThreadShare: main / Math.max(1, samples), kernelShare: kernel / Math.max(1, samples), bySyscall: shares };
}

async function kernelSplit(dataFile: string, pid: number): Promise<KernelSplit> {
  const out = await capture('perf', ['script', '-i', dataFile, '-F', 'tid,ip,sym'], { timeoutMs: 300_000 });
  return parsePerfScript(out.stdout, pid);
}

/** Markdown: CPU by binary (kernel / node / JIT / libc), kernel time by syscall, top symbols. */
export async function onCpuTables(dataFile: string, pid: number, top: number): Promise<string> {
  const byDso = await report(dataFile, 'dso');
  const bySym = await report(dataFile, 'dso,sym');
  const split = await kernelSplit(dataFile, pid);
  return [
    `${int(split.samples)} samples; main thread ${fixed(split.mainThreadShare * 100, 0)}%, other threads (libuv pool: fdatasync; V8: GC, compiler) ${fixed((1 - split.mainThreadShare) * 100, 0)}%.`,
    '',
    table(['on-CPU %', 'where (perf dso)'], byDso.slice(0, 6).map(([share, dso]) => [fixed(share, 1), `\`${dso.replace(/tid \d+/, 'tid N')}\``])),
    '',
    table(['on-CPU %', 'kernel time by syscall'], split.bySyscall.slice(0, 8).map(([name, share]) => [fixed(share * 100, 1), `\`${name}\``])),
    '',
    table(['on-CPU %', 'symbol'], bySym.slice(0, top).map(([share, sym]) => [fixed(share, 1), `\`${sym.replace(/\s+/g, ' ').replace(/tid \d+/, 'tid N').slice(0, 140)}\``])),
  ].join('\n');
}

/** node --perf-basic-prof writes /tmp/perf-<pid>.map; it is ours to remove. */
export function removePerfMap(pid: number): void {
  rmSync(`/tmp/perf-${pid}.map`, { force: true });
}
