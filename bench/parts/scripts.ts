/**
 * The in-process benchmarks others own, run as they are and quoted verbatim:
 * bench/log-fsync.ts (issue 4: the log's fsync-bound throughput next to the raw fsync
 * rate, log open and snapshot times), bench/core.ts (the Raft core, when present) and
 * bench/resp-parser.ts (the RESP layer) and bench/semaphored.ts (its own servers,
 * stopped by itself).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { capture } from '../lib/procs.js';
import { ROOT } from '../lib/kvd-cluster.js';
import { codeBlock } from '../lib/markdown.js';
import type { BenchContext } from '../lib/context.js';

interface Script {
  readonly file: string;
  readonly title: string;
  readonly args: (ctx: BenchContext) => string[];
  readonly timeoutMs: number;
}

const SCRIPTS: Script[] = [
  {
    file: 'bench/log-fsync.ts',
    title: 'Storage: fsync-bound log throughput next to the raw fsync rate (issue 4)',
    args: (ctx) => ['--dir', join(ctx.dir, 'log-fsync'), '--rounds', String(Math.max(3, ctx.rounds))],
    timeoutMs: 600_000,
  },
  { file: 'bench/core.ts', title: 'Raft core in process (bench/core.ts)', args: () => [], timeoutMs: 600_000 },
  { file: 'bench/resp-parser.ts', title: 'RESP parser and writer in process (bench/resp-parser.ts)', args: () => [], timeoutMs: 300_000 },
  { file: 'bench/semaphored.ts', title: 'semaphored on a 3-node cluster (bench/semaphored.ts)', args: () => [], timeoutMs: 600_000 },
];

export async function scriptsPart(ctx: BenchContext, only?: string): Promise<string> {
  const out: string[] = [];
  for (const script of SCRIPTS) {
    if (only !== undefined && !script.file.includes(only)) continue;
    if (!existsSync(join(ROOT, script.file))) {
      out.push(`## ${script.title}`, '', `${script.file} is not there yet: skipped.`, '');
      continue;
    }
    ctx.progress(`running ${script.file}`);
    const args = ['--import', 'tsx', script.file, ...script.args(ctx)];
    const result = await capture(process.execPath, args, { timeoutMs: script.timeoutMs, cwd: ROOT });
    const shownArgs = args.map((a) => a.replace(ctx.dir, '<bench dir>')).join(' ');
    const failure = result.code === 0 ? '' : `\n\n**exited with ${result.code}**:\n\n${codeBlock(result.stderr.slice(-2000))}`;
    out.push(`## ${script.title}`, '', codeBlock(`$ node ${shownArgs}\n${result.stdout}`) + failure, '');
  }
  return out.join('\n');
}
