/**
 * What bounds kvd's throughput, measured: for each workload a fresh 3-node cluster whose
 * leader (node 1) runs under `node --cpu-prof` (and --perf-basic-prof when perf is
 * installed). The workload runs through the leader with CPU per request of every
 * process (user/system split for the leader), context switches, the leader's fsync and
 * batching counters, and on-CPU sampling with perf. Then leadership moves to node 2
 * (not profiled: V8's sampler sends signals that strace would count) for a short run
 * under `strace -c -f`: syscalls per request. Finally the cluster stops (SIGTERM, so V8
 * writes the profile), and the profile is summarized over the measured run only
 * (start-up, preloading and the strace run left out).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BenchCluster, waitUntil, type BenchNode } from '../lib/kvd-cluster.js';
import { measure, fsyncAvgMs, type Measured } from '../lib/measure.js';
import { redisBenchmark } from '../lib/redis-bench.js';
import { contextSwitches, cpuTimes } from '../lib/proc-stats.js';
import { perfInstalled, recordOnCpu, onCpuTables, removePerfMap } from '../lib/perf.js';
import { countSyscalls, straceInstalled, type SyscallCount } from '../lib/strace.js';
import { summarize, profileTables, monotonicUs, type Window } from '../lib/cpuprofile.js';
import { call } from '../lib/resp.js';
import { table, fixed, int, codeBlock } from '../lib/markdown.js';
import { ROOT } from '../lib/kvd-cluster.js';
import { scaled, boundMs, type BenchContext } from '../lib/context.js';

interface Workload {
  readonly test: 'SET' | 'GET';
  readonly pipeline: number;
}

export const WORKLOADS: Workload[] = [
  { test: 'SET', pipeline: 1 },
  { test: 'GET', pipeline: 1 },
  { test: 'SET', pipeline: 16 },
  { test: 'GET', pipeline: 16 },
];

function args(w: Workload, n: number): string[] {
  return ['-c', '50', '-n', String(n), '-r', '100000', '-d', '16', '-P', String(w.pipeline), '-t', w.test.toLowerCase()];
}

/** Makes node 1 (the profiled one) the leader. */
async function leadWithNodeOne(cluster: BenchCluster): Promise<BenchNode> {
  const one = cluster.node('1');
  const leader = await cluster.waitLeader(10_000);
  if (leader !== one) {
    await call(leader.port, ['RAFT', 'TRANSFER', '1'], 10_000);
    await waitUntil('node 1 to lead', 10_000, async () => (await cluster.leader()) === one);
  }
  return one;
}

interface LeaderCost {
  readonly switches: number;
  readonly userS: number;
  readonly systemS: number;
}

function costLine(cluster: BenchCluster, leader: BenchNode, m: Measured, cost: LeaderCost): string {
  const followers = cluster.nodes.filter((n) => n !== leader);
  const c = m.counters!;
  const perReq = (pid: number): string => fixed(m.cpuUsPerRequest.get(pid)!, 1);
  const us = (seconds: number): string => fixed((seconds * 1e6) / m.requests, 1);
  return table(
    ['ops/s (profiled)', 'leader CPU us/req (user + system)', 'followers CPU us/req', 'redis-benchmark CPU us/req', 'leader cores busy', 'leader ctx switches/req', 'fsyncs/s', 'fsync avg ms', 'requests per fsync', 'SETs per entry', 'GETs per ReadIndex round'],
    [[
      int(m.row.rps), `${perReq(leader.proc!.pid)} (${us(cost.userS)} + ${us(cost.systemS)})`, followers.map((f) => perReq(f.proc!.pid)).join(' / '),
      fixed(m.generatorUsPerRequest, 1), fixed(m.cpuCoreShare.get(leader.proc!.pid)!), fixed(cost.switches / m.requests, 2),
      int(c.get('fsyncs')! / m.wallSeconds), fixed(fsyncAvgMs(c), 2), fixed(m.requests / c.get('fsyncs')!, 1),
      fixed(c.get('proposed_commands')! / c.get('proposed_entries')!, 1), fixed(m.requests / c.get('read_index_rounds')!, 1),
    ]],
  );
}

function syscallTable(counts: SyscallCount[], requests: number): string {
  const total = counts.reduce((n, c) => n + c.calls, 0);
  const rows = counts.slice(0, 10).map((c) => [c.name, int(c.calls), fixed(c.calls / requests, 3)]);
  rows.push(['all', int(total), fixed(total / requests, 3)]);
  return table(['syscall (leader, all threads)', 'calls', 'per request'], rows);
}

/** The measured run, under perf when installed; returns its cost and time window. */
async function measuredRun(ctx: BenchContext, cluster: BenchCluster, leader: BenchNode, w: Workload, dir: string) {
  const n = scaled(ctx, w.pipeline === 1 ? 200_000 : 1_000_000);
  const pid = leader.proc!.pid;
  const switchesBefore = contextSwitches(pid);
  const timesBefore = cpuTimes(pid);
  const fromUs = monotonicUs();
  let m: Measured | undefined;
  const run = async (): Promise<void> => {
    m = await measure({ port: leader.port, args: args(w, n), test: w.test, requests: n, watchPids: cluster.pids(), countersPort: leader.port, timeoutMs: boundMs(n) });
  };
  const perfData = join(dir, 'perf.data');
  if (perfInstalled()) await recordOnCpu(pid, perfData, join(dir, 'perf.log'), run);
  else await run();
  const window: Window = { fromUs, toUs: monotonicUs() };
  const timesAfter = cpuTimes(pid);
  const cost = { switches: contextSwitches(pid) - switchesBefore, userS: timesAfter.user - timesBefore.user, systemS: timesAfter.system - timesBefore.system };
  return { m: m!, cost, window, perfData: perfInstalled() ? perfData : null };
}

/** Syscalls per request, counted on an unprofiled leader (V8's sampler sends signals). */
async function syscalls(ctx: BenchContext, cluster: BenchCluster, w: Workload, dir: string): Promise<string> {
  const two = cluster.node('2');
  await call(cluster.node('1').port, ['RAFT', 'TRANSFER', '2'], 10_000);
  await waitUntil('node 2 to lead', 10_000, async () => (await cluster.leader()) === two);
  const small = scaled(ctx, w.pipeline === 1 ? 20_000 : 100_000);
  const counts = await countSyscalls(two.proc!.pid, join(dir, 'strace.txt'), join(dir, 'strace.log'), async () => {
    await redisBenchmark(two.port, args(w, small), boundMs(small, 200));
  });
  return [`Syscalls of the leader (leadership moved to unprofiled node 2) under \`strace -c -f\` during ${int(small)} requests of the same workload (strace slows it; counts only):`, '', syscallTable(counts, small)].join('\n');
}

async function profileOne(ctx: BenchContext, w: Workload): Promise<string> {
  const label = `${w.test.toLowerCase()}-p${w.pipeline}`;
  const dir = join(ctx.dir, `profile-${label}`);
  mkdirSync(dir, { recursive: true });
  const profFile = join(dir, 'leader.cpuprofile');
  const flags = ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', 'leader.cpuprofile', ...(perfInstalled() ? ['--perf-basic-prof'] : [])];
  const cluster = await BenchCluster.start({ dir, nodes: 3, nodeFlags: (id) => (id === '1' ? flags : []) });
  const out = [`### ${w.test} -P ${w.pipeline} through the leader`, ''];
  const leader = cluster.node('1');
  let run: Awaited<ReturnType<typeof measuredRun>> | undefined;
  try {
    await leadWithNodeOne(cluster);
    if (w.test === 'GET') await redisBenchmark(leader.port, args({ test: 'SET', pipeline: 16 }, scaled(ctx, 200_000)), 300_000);
    ctx.progress(`profile: ${label}`);
    run = await measuredRun(ctx, cluster, leader, w, dir);
    out.push(codeBlock(run.m.command), '', costLine(cluster, leader, run.m, run.cost), '');
    if (straceInstalled()) out.push(await syscalls(ctx, cluster, w, dir), '');
  } finally {
    await cluster.stop();
  }
  await waitUntil('the CPU profile to be written', 30_000, async () => existsSync(profFile));
  out.push('V8 profile of the leader (`--cpu-prof`, wall-clock samples of the main thread):', '', profileTables(summarize(profFile, ROOT, run.window), 25));
  if (run.perfData !== null) {
    out.push('', 'On-CPU samples of the leader, all threads (`perf record -e cpu-clock -g -p PID`, JS named via `--perf-basic-prof`):', '', await onCpuTables(run.perfData, leader.proc!.pid, 30));
    removePerfMap(leader.proc!.pid);
  }
  return out.join('\n');
}

export async function profilePart(ctx: BenchContext, only?: readonly Workload[]): Promise<string> {
  const out = ['## Where the time goes: the leader profiled (what bounds it)', ''];
  for (const w of only ?? WORKLOADS) out.push(await profileOne(ctx, w), '');
  return out.join('\n');
}
