/**
 * The benchmark harness (DESIGN.md section 14): `npm run bench [-- options]`.
 *
 *   --only LIST      parts to run, comma separated (default: all but profile):
 *                      ping      PING/ECHO on one node vs redis-server (issue 2)
 *                      kvd       3 nodes, fsync on, SET/GET -P 1/16, leader and follower,
 *                                vs redis-server appendfsync always (issue 5)
 *                      memory    RSS per node with --keys keys (issue 5)
 *                      restart   snapshot write and restart time with --keys keys (issue 4)
 *                      failover  kill -9 the leader under light load, --failovers times
 *                      storage   bench/log-fsync.ts (issue 4)
 *                      core      bench/core.ts, when present
 *                      parser    bench/resp-parser.ts
 *                      semaphored  bench/semaphored.ts (semaphore throughput, hand-off, failover)
 *                      profile   the leader under --cpu-prof and strace -c (what bounds it)
 *   --rounds N       repeat each throughput measurement N times, interleaved (median)
 *   --scale X        multiply request counts (0.1 for a quick look)
 *   --keys N         keys for memory and restart (default 1000000)
 *   --failovers N    failover rounds (default 5)
 *   --dir DIR        where data goes (default: a new directory under the OS temp dir;
 *                    it must be on the disk under test, not tmpfs)
 *   --keep           keep DIR afterwards (logs, profiles)
 *   --out FILE       also write the Markdown report to FILE
 *   --max-minutes M  stop everything and fail after M minutes (default 90)
 *
 * Needs `npm run build` first (it runs dist/bin/kvd.js) and redis-benchmark; compares
 * with redis-server when installed. Every process it starts binds 127.0.0.1 and is
 * stopped by pid at the end, on failure, on Ctrl-C and at the time limit.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stopAll, killAllNow } from './lib/procs.js';
import { describeMachine, diskOf } from './lib/machine.js';
import { loadAverage } from './lib/proc-stats.js';
import { ROOT } from './lib/kvd-cluster.js';
import { redisInstalled } from './lib/redis-server.js';
import { codeBlock } from './lib/markdown.js';
import type { BenchContext } from './lib/context.js';
import { pingPart } from './parts/ping.js';
import { kvdPart } from './parts/kvd.js';
import { bigStatePart } from './parts/big-state.js';
import { failoverPart } from './parts/failover.js';
import { scriptsPart } from './parts/scripts.js';
import { profilePart } from './parts/profile.js';

const ALL = ['ping', 'kvd', 'memory', 'restart', 'failover', 'storage', 'core', 'parser', 'semaphored', 'profile'] as const;
type Part = (typeof ALL)[number];
const DEFAULT: Part[] = ALL.filter((p) => p !== 'profile');

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    scale: { type: 'string', default: '1' },
    keys: { type: 'string', default: '1000000' },
    failovers: { type: 'string', default: '5' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    out: { type: 'string' },
    'max-minutes': { type: 'string', default: '90' },
  },
});

function selectedParts(): Set<Part> {
  if (opts.only === undefined) return new Set(DEFAULT);
  const names = opts.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) if (!(ALL as readonly string[]).includes(name)) throw new Error(`unknown part ${name}; parts: ${ALL.join(', ')}`);
  return new Set(names as Part[]);
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${value}`);
  return n;
}

function workDir(): string {
  if (opts.dir !== undefined) {
    const dir = resolve(opts.dir, `run-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
  return mkdtempSync(join(tmpdir(), 'respraft-bench-'));
}

/** Runs one part and notes the machine's load around it (other work skews the figures). */
async function timed(run: () => Promise<string>): Promise<string> {
  const before = loadAverage();
  const text = await run();
  return `${text}\n\n_Load average (1, 5, 15 min) before / after this part: ${before} / ${loadAverage()}._`;
}

async function runParts(ctx: BenchContext, parts: Set<Part>): Promise<string[]> {
  const sections: string[] = [];
  const has = (p: Part): boolean => parts.has(p);
  const add = async (run: () => Promise<string>): Promise<void> => void sections.push(await timed(run));
  if (has('ping')) await add(() => pingPart(ctx));
  if (has('kvd')) await add(() => kvdPart(ctx));
  if (has('memory') || has('restart')) await add(() => bigStatePart(ctx, { memory: has('memory'), restart: has('restart') }));
  if (has('failover')) await add(() => failoverPart(ctx));
  if (has('storage')) await add(() => scriptsPart(ctx, 'log-fsync'));
  if (has('core')) await add(() => scriptsPart(ctx, 'core.ts'));
  if (has('parser')) await add(() => scriptsPart(ctx, 'resp-parser'));
  if (has('semaphored')) await add(() => scriptsPart(ctx, 'semaphored.ts'));
  if (has('profile')) await add(() => profilePart(ctx));
  return sections;
}

async function main(): Promise<void> {
  const parts = selectedParts();
  const needsServers = [...parts].some((p) => !['storage', 'core', 'parser', 'semaphored'].includes(p));
  if (needsServers && !redisInstalled()) throw new Error('redis-server / redis-benchmark are not installed (Debian: redis-server, redis-tools)');
  const dir = workDir();
  const disk = diskOf(dir);
  if (disk.tmpfs) throw new Error(`${dir} is on tmpfs: fsync would be free. Pass --dir on the real disk.`);
  const started = Date.now();
  const ctx: BenchContext = {
    dir,
    rounds: positive('rounds', opts.rounds),
    scale: positive('scale', opts.scale),
    keys: Math.round(positive('keys', opts.keys)),
    failovers: Math.round(positive('failovers', opts.failovers)),
    progress: (m) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)}s] ${m}\n`),
  };
  const limit = setTimeout(() => {
    process.stderr.write(`bench: the ${opts['max-minutes']} minute limit passed; stopping everything\n`);
    void stopAll(2000).then(() => process.exit(2));
  }, positive('max-minutes', opts['max-minutes']) * 60_000);
  limit.unref();
  const header = [
    '# respraft benchmark',
    '',
    codeBlock(`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`),
    '',
    describeMachine(ROOT, dir),
    '',
  ];
  try {
    const sections = await runParts(ctx, parts);
    const report = [...header, ...sections.flatMap((s) => [s, '']), `Finished in ${((Date.now() - started) / 60_000).toFixed(1)} min.`].join('\n');
    process.stdout.write(report + '\n');
    if (opts.out !== undefined) writeFileSync(opts.out, report + '\n');
  } finally {
    clearTimeout(limit);
    await stopAll();
    if (opts.keep) ctx.progress(`data, logs and profiles kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping everything\n`);
    void stopAll(2000).then(() => process.exit(130));
  });
}
process.on('exit', killAllNow);

main().catch(async (err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  await stopAll();
  process.exit(1);
});
