/**
 * Running the pod scripts the way a pod would: under busybox sh with busybox's applets
 * (nc, timeout, awk, sed...) first on PATH, as on Alpine, when busybox is installed;
 * else under the system sh with its own tools.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ShellEnv {
  /** argv[0..] that runs a script: ['busybox', 'sh'] or ['sh']. */
  shell: string[];
  /** PATH with busybox applets first, when busybox is used. */
  path: string;
  label: string;
}

let cached: ShellEnv | undefined;

/** Absolute path of a tool on this machine's PATH (busybox's applets may shadow it in pods). */
export function systemTool(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  return r.status === 0 && path.startsWith('/') ? path : undefined;
}

const findBusybox = (): string | undefined => systemTool('busybox');

/** The busybox environment (a temp dir of applet links), or the system shell. */
export function podShell(): ShellEnv {
  if (cached) return cached;
  const busybox = findBusybox();
  const systemPath = process.env.PATH ?? '/usr/bin:/bin';
  if (!busybox) {
    cached = { shell: ['sh'], path: systemPath, label: 'system sh (busybox not installed)' };
    return cached;
  }
  const root = mkdtempSync(join(tmpdir(), 'respraft-busybox-'));
  process.on('exit', () => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'bin');
  mkdirSync(dir);
  const applets = spawnSync(busybox, ['--list'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  for (const applet of applets) symlinkSync(busybox, join(dir, applet));
  cached = { shell: [busybox, 'sh'], path: `${dir}:${systemPath}`, label: 'busybox sh and applets' };
  return cached;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a process to its end, collecting its output; killed after timeoutMs. */
export function runProcess(cmd: string, args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** Runs a pod script under the pod shell (asynchronously: test servers must keep answering). */
export function runScript(script: string, args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<RunResult> {
  const [cmd, ...pre] = podShell().shell;
  return runProcess(cmd as string, [...pre, script, ...args], { PATH: podShell().path, HOME: tmpdir(), ...env }, timeoutMs);
}
