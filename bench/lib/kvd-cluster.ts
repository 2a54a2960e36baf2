/**
 * A local kvd cluster for benchmarks: `node dist/bin/kvd.js` processes on 127.0.0.1 with
 * ports from the OS, data in a directory on the real disk, logs in files beside it, a
 * cluster secret of its own (so a node can never join someone else's cluster on a
 * reused port). Node 1 bootstraps and the others join it.
 */
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { freePorts } from '../../test/helpers/ports.js';
import { waitFor } from '../../test/helpers/wait.js';
import { track, stop, type Tracked } from './procs.js';
import { call, info, num } from './resp.js';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const KVD = join(ROOT, 'dist', 'bin', 'kvd.js');

export interface BenchNode {
  readonly id: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  proc: Tracked | null;
}

export interface ClusterConfig {
  readonly dir: string;
  readonly nodes: number;
  /** Flags for every node. */
  readonly args?: readonly string[];
  /** Node flags (before the script) per node id, e.g. --cpu-prof for the leader. */
  readonly nodeFlags?: (id: string) => readonly string[];
}

/** test/helpers/wait.ts's waitFor with the deadline up front (shorter at call sites). */
export function waitUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>, intervalMs = 20): Promise<T> {
  return waitFor(what, check, { timeoutMs, intervalMs });
}

/** A pino line of a node's log, with the fields the benchmark reads. */
export interface LogLine {
  readonly time: string;
  readonly msg: string;
  readonly ms?: number;
}

export class BenchCluster {
  readonly nodes: BenchNode[] = [];
  private readonly secret = randomBytes(12).toString('hex');

  private constructor(private readonly config: ClusterConfig) {}

  static async start(config: ClusterConfig): Promise<BenchCluster> {
    if (!existsSync(KVD)) throw new Error(`${KVD} is missing: run npm run build first`);
    const cluster = new BenchCluster(config);
    const ports = await freePorts(config.nodes);
    ports.forEach((port, i) => {
      const id = String(i + 1);
      const dataDir = join(config.dir, `kvd-${id}`);
      cluster.nodes.push({ id, port, dataDir, logFile: join(config.dir, `kvd-${id}.log`), proc: null });
    });
    mkdirSync(config.dir, { recursive: true });
    const [first, ...rest] = cluster.nodes;
    cluster.launch(first!, []);
    await cluster.waitLeader(15_000);
    for (const node of rest) cluster.launch(node, ['--join', `127.0.0.1:${first!.port}`]);
    await cluster.waitMembers(config.nodes, 30_000);
    return cluster;
  }

  launch(node: BenchNode, extra: readonly string[]): void {
    const flags = this.config.nodeFlags?.(node.id) ?? [];
    const args = [
      ...flags,
      KVD,
      '--id', node.id,
      '--addr', `127.0.0.1:${node.port}`,
      '--data-dir', node.dataDir,
      '--cluster-secret', this.secret,
      ...(this.config.args ?? []),
      ...extra,
    ];
    node.proc = track(process.execPath, args, { logFile: node.logFile });
  }

  node(id: string): BenchNode {
    const found = this.nodes.find((n) => n.id === id);
    if (found === undefined) throw new Error(`no node ${id}`);
    return found;
  }

  running(): BenchNode[] {
    return this.nodes.filter((n) => n.proc?.running() === true);
  }

  pids(): number[] {
    return this.running().map((n) => n.proc!.pid);
  }

  /** The node every running node agrees is the leader (and which says so itself). */
  async leader(): Promise<BenchNode | null> {
    for (const node of this.running()) {
      const raft = await info(node.port, 'raft', 1000).catch(() => null);
      if (raft?.get('role') === 'leader') return node;
    }
    return null;
  }

  waitLeader(timeoutMs: number): Promise<BenchNode> {
    return waitUntil('a leader', timeoutMs, async () => (await this.leader()) ?? undefined);
  }

  async waitMembers(count: number, timeoutMs: number): Promise<void> {
    await waitUntil(`${count} voters`, timeoutMs, async () => {
      const leader = await this.leader();
      if (leader === null) return false;
      const voters = (await info(leader.port, 'raft', 1000)).get('voters') ?? '';
      return voters.split(',').filter((v) => v !== '').length === count;
    });
  }

  /** Waits until every running node has applied what the leader has committed now. */
  async waitCaughtUp(timeoutMs: number): Promise<void> {
    const leader = await this.waitLeader(timeoutMs);
    const commit = num(await info(leader.port, 'raft'), 'commit_index');
    for (const node of this.running()) {
      await waitUntil(`node ${node.id} to apply ${commit}`, timeoutMs, async () => num(await info(node.port, 'raft', 1000), 'applied_index') >= commit, 50);
    }
  }

  async followers(): Promise<BenchNode[]> {
    const leader = await this.waitLeader(10_000);
    return this.running().filter((n) => n !== leader);
  }

  kill9(node: BenchNode): Promise<number | string> {
    if (node.proc === null) throw new Error(`node ${node.id} is not running`);
    node.proc.proc.kill('SIGKILL');
    return node.proc.exited;
  }

  /** Starts a stopped node again on its data (it rejoins without --join). */
  restart(node: BenchNode): void {
    if (node.proc?.running() === true) throw new Error(`node ${node.id} is still running`);
    this.launch(node, []);
  }

  async stopNode(node: BenchNode, graceMs = 10_000): Promise<void> {
    if (node.proc !== null) await stop(node.proc, graceMs);
  }

  async stop(): Promise<void> {
    await Promise.all(this.running().map((n) => this.stopNode(n)));
  }

  log(node: BenchNode): string {
    return existsSync(node.logFile) ? readFileSync(node.logFile, 'utf8') : '';
  }

  /** The `ms` field of the last JSON log line of `node` whose msg is `msg`. */
  loggedMs(node: BenchNode, msg: string): number {
    const last = this.logLines(node, 0).filter((l) => l.msg === msg).at(-1);
    return typeof last?.ms === 'number' ? last.ms : NaN;
  }

  /** The node's JSON log lines from byte `offset` on (what it logged since then). */
  logLines(node: BenchNode, offset: number): LogLine[] {
    return this.log(node)
      .slice(offset)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  }

  async ping(node: BenchNode, timeoutMs = 1000): Promise<boolean> {
    return (await call(node.port, ['PING'], timeoutMs).catch(() => null)) === '+PONG';
  }
}
