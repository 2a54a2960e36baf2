/**
 * Counts the system calls of a running process (all its threads) while `during` runs:
 * `strace -c -f -p PID`, detached with SIGINT afterwards. strace slows the process down,
 * so only the counts per request mean anything, never the throughput of that run.
 */
import { readFileSync } from 'node:fs';
import { track, commandWorks, type Tracked } from './procs.js';
import { waitUntil } from './kvd-cluster.js';

export interface SyscallCount {
  readonly name: string;
  readonly calls: number;
  readonly seconds: number;
}

export function straceInstalled(): boolean {
  return commandWorks('strace', ['-V']);
}

export function parseStraceSummary(text: string): SyscallCount[] {
  const out: SyscallCount[] = [];
  for (const line of text.split('\n')) {
    // % time, seconds, usecs/call, calls, [errors,] syscall
    const m = /^\s*[\d.]+\s+([\d.]+)\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$/.exec(line);
    if (m !== null && m[3] !== 'total') out.push({ name: m[3]!, calls: Number(m[2]), seconds: Number(m[1]) });
  }
  return out.sort((a, b) => b.calls - a.calls);
}

export async function countSyscalls(pid: number, outFile: string, logFile: string, during: () => Promise<void>): Promise<SyscallCount[]> {
  const strace: Tracked = track('strace', ['-c', '-f', '-o', outFile, '-p', String(pid)], { logFile, timeoutMs: 600_000 });
  await waitUntil('strace to attach', 10_000, async () => readFileSync(logFile, 'utf8').includes('attached'));
  try {
    await during();
  } finally {
    strace.proc.kill('SIGINT');
    await strace.exited;
  }
  return parseStraceSummary(readFileSync(outFile, 'utf8'));
}
