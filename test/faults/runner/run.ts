/**
 * One fault run: start the servers, run the workload's clients and the nemeses for the
 * given time, heal everything, take the final reads, then check the history and write
 * history.jsonl, summary.md / summary.json, timeline.svg and the servers' logs to the
 * run's directory.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rngFromSeed } from '../../../lib/util/rng.js';
import type { CheckResult } from '../checker/verdict.js';
import { writeHistory, type History, type NemesisKind } from '../history.js';
import { classifyByPrefix, DEFINITE_ERROR_PREFIXES, Recorder } from '../recorder.js';
import { summarizeRun, summaryToMarkdown, verdictWord, type RunSummary } from '../summary.js';
import { renderTimeline } from '../timeline.js';
import { FaultNet, netnsUnavailable } from '../net/fault-net.js';
import type { WorkloadContext } from './clients.js';
import { FaultCluster, freezeBuild } from './cluster.js';
import { Nemesis } from './nemesis.js';
import { commandLine, type RunOptions } from './options.js';
import { makeWorkload } from './workloads.js';
import { waitFor } from '../../helpers/wait.js';

const OUT_ROOT = resolve(fileURLToPath(new URL('../out', import.meta.url)));

export interface RunResult {
  summary: RunSummary;
  results: CheckResult[];
  history: History;
  dir: string;
  /** Nemeses asked for but not run here, with why. */
  skipped: string[];
}

function serverArgs(o: RunOptions): string[] {
  const args = ['--log-level', 'info', '--enable-debug-command', '--command-timeout-ms', '4000'];
  if (o.nemeses.includes('snapshot')) args.push('--snapshot-every-entries', '500', '--snapshot-trailing-entries', '100');
  if (o.staleReads) args.push('--stale-reads');
  if (o.nosync) args.push('--nosync');
  return args;
}

export async function runFaults(o: RunOptions, say: (line: string) => void = (l) => console.log(l)): Promise<RunResult> {
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${o.workload}-${o.seed}`;
  const dir = o.out ?? join(OUT_ROOT, runId);
  mkdirSync(dir, { recursive: true });
  const { kinds, skipped } = availableNemeses(o, say);
  const net = kinds.has('partition') ? new FaultNet() : undefined;
  net?.setup();
  const workload = makeWorkload(o);
  const build = freezeBuild(runId);
  const cluster = new FaultCluster({ app: workload.app, nodes: o.nodes, args: serverArgs(o), buildDir: build.dir, ...(net ? { net } : {}) });
  const recorder = new Recorder({ timeoutMs: 6000, classifyError: classifyByPrefix([...DEFINITE_ERROR_PREFIXES, 'NOSEM', 'LIMIT']) });
  const rng = rngFromSeed(o.seed);
  let stopped = false;
  let keepData = false;
  let nextProcess = 0;
  const ctx: WorkloadContext = { recorder, cluster, rng: rng.fork(), stopped: () => stopped, newProcess: () => nextProcess++ };
  try {
    say(`run ${runId}: ${o.nodes} ${workload.app} nodes${net ? ' in network namespaces' : ' on 127.0.0.1'}, nemeses: ${[...kinds].join(', ') || 'none'}`);
    await cluster.start();
    await workload.setup(ctx);
    const nemesis = new Nemesis({
      kinds, cluster, recorder, rng: rng.fork(), net, faultMs: o.faultMs, quietMs: o.quietMs,
      killAllChance: o.killAllChance, maxNodes: o.maxNodes, say,
    });
    const workers = Array.from({ length: o.workers }, () => workload.worker(ctx));
    nemesis.start();
    await new Promise((r) => setTimeout(r, o.timeS * 1000));
    stopped = true;
    await nemesis.stop();
    await Promise.all(workers);
    const recovery = await recover(cluster, net, () => workload.final(ctx), say);
    const meta = {
      kind: 'meta' as const, workload: workload.name, command: commandLine(o), seed: o.seed,
      startedAt: new Date(Date.now() - recorder.now()).toISOString(), durationMs: recorder.now(),
      detail: { nodes: o.nodes, network: net ? 'netns' : 'loopback', serverArgs: serverArgs(o), skipped },
    };
    const history = recorder.history(meta);
    await writeHistory(join(dir, 'history.jsonl'), history);
    say(`checking ${history.ops.length} ops`);
    const results = [...workload.check(history), ...(recovery ? [recovery] : [])];
    if (results.some((r) => r.valid === false)) keepData = true;
    const summary = writeOutputs(dir, history, results, skipped);
    say(`${verdictWord(summary.valid)}: ${results.map((r) => `${r.checker}: ${r.summary}`).join(' | ')}`);
    say(`output in ${dir}`);
    return { summary, results, history, dir, skipped };
  } finally {
    stopped = true;
    await cluster.stop(true);
    for (const node of cluster.nodes) if (existsSync(node.logFile)) copyFileSync(node.logFile, join(dir, `${node.id}.log`));
    if (!o.keep && !(keepData && o.keepFailed)) await cluster.stop(false);
    else say(`server data kept in ${cluster.dir}`);
    net?.destroy();
    build.remove();
  }
}

/** The nemeses asked for that can run here; the others with why not (said out loud). */
function availableNemeses(o: RunOptions, say: (line: string) => void): { kinds: Set<NemesisKind>; skipped: string[] } {
  const kinds = new Set(o.nemeses);
  const skipped: string[] = [];
  const netProblem = kinds.has('partition') ? netnsUnavailable() : undefined;
  if (netProblem) {
    kinds.delete('partition');
    skipped.push(`partition: ${netProblem}`);
    say(`SKIPPED partition nemesis: ${netProblem}`);
  }
  return { kinds, skipped };
}

/**
 * Heals and takes the final reads. A cluster that does not recover once every fault
 * healed is a failure of its own (returned as a checker result); the history up to then
 * is still checked and written.
 */
async function recover(cluster: FaultCluster, net: FaultNet | undefined, final: () => Promise<void>, say: (line: string) => void): Promise<CheckResult | undefined> {
  try {
    await heal(cluster, net, say);
    await final();
    return undefined;
  } catch (err) {
    const message = `the cluster did not recover after the faults healed: ${(err as Error).message}`;
    say(message);
    return { checker: 'recovery', valid: false, summary: message, anomalies: [{ type: 'no-recovery', message, opIds: [] }], stats: {} };
  }
}

/** summary.md, summary.json and timeline.svg next to the history. */
function writeOutputs(dir: string, history: History, results: CheckResult[], skipped: readonly string[]): RunSummary {
  const summary = summarizeRun(history, results);
  const md = summaryToMarkdown(summary) + (skipped.length ? `\nSkipped: ${skipped.join('; ')}\n` : '');
  writeFileSync(join(dir, 'summary.md'), md);
  writeFileSync(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(dir, 'timeline.svg'), renderTimeline(history, { title: `${summary.workload}: ${verdictWord(summary.valid)}` }));
  return summary;
}

/** Ends every fault: network healed, processes resumed, dead members restarted, clocks reset. */
async function heal(cluster: FaultCluster, net: FaultNet | undefined, say: (line: string) => void): Promise<void> {
  net?.healAll();
  for (const node of cluster.nodes) node.resume();
  const restartDead = (): void => {
    for (const node of cluster.members) {
      if (node.running) continue;
      const other = cluster.members.find((n) => n !== node);
      node.start(other ? ['--join', other.addr] : []);
    }
  };
  restartDead();
  // The configuration decides who is a member, whatever the runner last believed.
  const changed = await waitFor('the configuration from a majority leader', () => cluster.reconcile(), { timeoutMs: 60_000, intervalMs: 250 });
  for (const n of changed.dropped) await n.kill9();
  if (changed.added.length + changed.dropped.length > 0) {
    say(`heal: members by the configuration: +${changed.added.map((n) => n.id).join(',')} -${changed.dropped.map((n) => n.id).join(',')}`);
  }
  restartDead();
  await Promise.all(cluster.members.map((n) => n.call(['DEBUG', 'CLOCK-OFFSET', 0]).catch(() => undefined)));
  const leader = await cluster.waitForLeader(undefined, 60_000);
  say(`healed: leader ${leader.id}, members ${cluster.members.map((n) => n.id).join(' ')}`);
  // Every member must have caught up before the final reads (they may go to any node).
  await waitFor('every member answers through the leader', async () => {
    const answers = await Promise.all(cluster.members.map((n) => n.call(['RAFT', 'LEADER'], 2000).catch(() => null)));
    return answers.every((a) => a === leader.addr);
  }, { timeoutMs: 60_000, intervalMs: 200 });
}
