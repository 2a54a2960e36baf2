/**
 * Per-process figures from /proc: CPU time (utime + stime), resident memory and context
 * switches. CPU of children that have exited and been reaped (redis-benchmark) shows in
 * this process's cutime/cstime.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid: number | 'self'): string[] {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** CPU seconds used so far by the process, in user and in kernel (system) mode. */
export function cpuTimes(pid: number): { user: number; system: number } {
  const f = statFields(pid);
  // stat fields 14 and 15 (1-based) are utime and stime; f starts at field 3.
  return { user: Number(f[11]) / TICKS_PER_SECOND, system: Number(f[12]) / TICKS_PER_SECOND };
}

export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.system;
}

/** CPU seconds of this process's reaped children. */
export function reapedChildrenCpuSeconds(): number {
  const f = statFields('self');
  return (Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
}

function statusField(pid: number, name: string): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (line === undefined) throw new Error(`/proc/${pid}/status has no ${name}`);
  return Number(line.slice(name.length + 1).trim().split(/\s+/)[0]);
}

export function memory(pid: number): { rssMiB: number; peakRssMiB: number } {
  return { rssMiB: statusField(pid, 'VmRSS') / 1024, peakRssMiB: statusField(pid, 'VmHWM') / 1024 };
}

export function contextSwitches(pid: number): number {
  return statusField(pid, 'voluntary_ctxt_switches') + statusField(pid, 'nonvoluntary_ctxt_switches');
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

export interface CpuSample {
  readonly at: number;
  readonly cpu: Map<number, number>;
  readonly reaped: number;
}

export function sampleCpu(pids: readonly number[]): CpuSample {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      cpu.set(pid, cpuSeconds(pid));
    } catch {
      // A process that has gone simply has no sample.
    }
  }
  return { at: performance.now(), cpu, reaped: reapedChildrenCpuSeconds() };
}

/** CPU seconds each pid used between two samples, and the share of one core. */
export function cpuDelta(before: CpuSample, after: CpuSample, pid: number): { seconds: number; coreShare: number } {
  const seconds = (after.cpu.get(pid) ?? NaN) - (before.cpu.get(pid) ?? NaN);
  const wall = (after.at - before.at) / 1000;
  return { seconds, coreShare: seconds / wall };
}
