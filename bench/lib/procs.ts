/**
 * Every process the benchmark starts goes through here, so that all of them are stopped
 * by pid at the end: on success, on an exception, on Ctrl-C and when the run's time
 * budget is spent. Output goes to a file (never an undrained pipe) unless the caller
 * asks to capture it.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

const live = new Set<ChildProcess>();

export interface Tracked {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  running(): boolean;
}

export interface SpawnOptions {
  /** Append stdout and stderr to this file. */
  readonly logFile?: string;
  /** Kill with SIGKILL after this long (a bound for every helper process). */
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

export function track(command: string, args: readonly string[], options: SpawnOptions = {}): Tracked {
  const fd = options.logFile !== undefined ? openSync(options.logFile, 'a') : 'ignore';
  const proc = spawn(command, args, {
    stdio: ['ignore', fd, fd],
    env: options.env ?? process.env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  if (typeof fd === 'number') closeSync(fd);
  return register(proc, options.timeoutMs);
}

/** Runs a command to completion (bounded) and returns what it printed. */
export async function capture(
  command: string,
  args: readonly string[],
  options: { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string; input?: NodeJS.ReadableStream },
): Promise<{ code: number | string; stdout: string; stderr: string; pid: number }> {
  const proc = spawn(command, args, {
    stdio: [options.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  const tracked = register(proc, options.timeoutMs);
  if (options.input !== undefined && proc.stdin !== null) options.input.pipe(proc.stdin);
  let stdout = '';
  let stderr = '';
  proc.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  proc.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const code = await tracked.exited;
  return { code, stdout, stderr, pid: tracked.pid };
}

function register(proc: ChildProcess, timeoutMs: number | undefined): Tracked {
  if (proc.pid === undefined) throw new Error(`could not start ${proc.spawnfile}`);
  live.add(proc);
  const timer = timeoutMs !== undefined ? setTimeout(() => proc.kill('SIGKILL'), timeoutMs) : null;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      if (timer !== null) clearTimeout(timer);
      resolve(code ?? signal ?? 'unknown');
    });
    proc.once('error', (err) => {
      live.delete(proc);
      if (timer !== null) clearTimeout(timer);
      resolve(`error: ${err.message}`);
    });
  });
  return { proc, pid: proc.pid, exited, running: () => live.has(proc) };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export async function stop(t: Tracked, graceMs = 5000): Promise<number | string> {
  if (!t.running()) return t.exited;
  t.proc.kill('SIGTERM');
  const timer = setTimeout(() => t.proc.kill('SIGKILL'), graceMs);
  const code = await t.exited;
  clearTimeout(timer);
  return code;
}

/** Stops every process still running, by pid. */
export async function stopAll(graceMs = 5000): Promise<void> {
  const all = [...live];
  for (const proc of all) proc.kill('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const proc of live) proc.kill('SIGKILL');
}

/** Last resort at exit: whatever is still alive gets SIGKILL (synchronous). */
export function killAllNow(): void {
  for (const proc of live) proc.kill('SIGKILL');
}

export function liveCount(): number {
  return live.size;
}

/** Whether `command args` runs and exits 0 (is a tool installed?). */
export function commandWorks(command: string, args: readonly string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
