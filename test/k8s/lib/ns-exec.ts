/**
 * Commands run inside a pod's network namespace (with its /etc/netns hosts file), the
 * only place where reachability means anything on this machine.
 */
import { runProcess, systemTool, type RunResult } from './shell.js';

export const IP = systemTool('ip') ?? 'ip';
const REDIS_CLI = systemTool('redis-cli') ?? 'redis-cli';

export function nsExec(ns: string, argv: string[], env: Record<string, string> = {}, timeoutMs = 10_000): Promise<RunResult> {
  return runProcess(IP, ['netns', 'exec', ns, ...argv], { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeoutMs);
}

/** One command through redis-cli from inside `ns`; the raw reply text, trimmed. */
export async function redisCli(ns: string, host: string, port: number, args: string[]): Promise<string> {
  const r = await nsExec(ns, [REDIS_CLI, '-h', host, '-p', String(port), ...args], {}, 8000);
  if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')} to ${host}:${port} exited ${String(r.code)}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}
