/**
 * The servers of a fault run: real `node dist/bin/<app>.js` processes, either on
 * 127.0.0.1 (ports from test/helpers/ports.ts) or each in its own network namespace
 * (FaultNet) so partitions are possible. Nodes can be killed, paused, restarted, added
 * and removed; `members` is the configuration as the runner last changed it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from '../../helpers/ports.js';
import { waitFor } from '../../helpers/wait.js';
import type { FaultNet } from '../net/fault-net.js';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
/**
 * A copy of dist/ for one run, so a rebuild during a long run (others work in the same
 * checkout) cannot mix two builds in one cluster. It stays inside the checkout (.tmp/ is
 * ignored by git) so the copy still finds node_modules.
 */
export function freezeBuild(runId: string): { dir: string; remove: () => void } {
  const source = join(root, 'dist');
  if (!existsSync(join(source, 'bin'))) throw new Error(`${source} is missing: run npm run build first`);
  const dir = join(root, '.tmp', `faults-build-${runId}`);
  mkdirSync(dirname(dir), { recursive: true });
  cpSync(source, dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** In a namespace every server has its own address, so one port for all is fine. */
const NETNS_PORT = 7379;

export type AppName = 'kvd' | 'semaphored';

export class FaultNode {
  proc: ChildProcess | null = null;
  paused = false;
  /** false once removed from the configuration (its process is gone too). */
  member = true;

  constructor(
    readonly id: string,
    /** host:port the node listens on and advertises. */
    readonly addr: string,
    readonly connect: Pick<RedisOptions, 'host' | 'port' | 'path'>,
    readonly dataDir: string,
    readonly logFile: string,
    private readonly argv: (extra: readonly string[]) => string[],
  ) {}

  get running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  start(extra: readonly string[] = []): void {
    if (this.running) return;
    const fd = openSync(this.logFile, 'a');
    const [cmd, ...args] = this.argv(extra);
    this.proc = spawn(cmd as string, args, { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.paused = false;
  }

  async kill9(): Promise<void> {
    const proc = this.proc;
    if (proc === null || !this.running) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGKILL');
    await exited;
    this.paused = false;
  }

  pause(): void {
    if (!this.running || this.paused) return;
    this.proc?.kill('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.proc?.kill('SIGCONT');
    this.paused = false;
  }

  /** A fresh client with the suite's settings: no retries, no offline queue surprises. */
  client(options: { commandTimeout?: number } = {}): Redis {
    const client = new Redis({
      ...this.connect,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      enableOfflineQueue: true,
      retryStrategy: () => null,
      connectTimeout: 2000,
      ...(options.commandTimeout !== undefined ? { commandTimeout: options.commandTimeout } : {}),
    });
    client.on('error', () => {}); // failures reach the caller through its command
    return client;
  }

  /** One command over a short-lived connection; throws on error or after timeoutMs. */
  async call(args: readonly (string | number)[], timeoutMs = 3000): Promise<unknown> {
    const client = this.client({ commandTimeout: timeoutMs });
    try {
      return await client.call(String(args[0]), ...args.slice(1).map(String));
    } finally {
      client.disconnect();
    }
  }
}

export interface ClusterConfig {
  app: AppName;
  nodes: number;
  args: readonly string[];
  /** The build to run (a copy of dist/); default this checkout's dist/. */
  buildDir?: string;
  /** When set, every node runs in its own namespace of this network. */
  net?: FaultNet;
}

export class FaultCluster {
  readonly nodes: FaultNode[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'respraft-faults-'));
  private nextId = 1;

  constructor(private readonly config: ClusterConfig) {}

  get members(): FaultNode[] {
    return this.nodes.filter((n) => n.member);
  }

  /** Starts `config.nodes` nodes: the first bootstraps, the others join it. */
  async start(): Promise<void> {
    const first = await this.createNode();
    first.start();
    await this.waitForLeader([first]);
    for (let i = 1; i < this.config.nodes; i++) (await this.createNode()).start(['--join', first.addr]);
    await this.waitForVoters(this.config.nodes, 60_000);
  }

  /** A node slot with a new id (ids are never reused); not started. */
  async createNode(): Promise<FaultNode> {
    const id = `n${this.nextId++}`;
    const dataDir = join(this.dir, id);
    const logFile = join(this.dir, `${id}.log`);
    const script = join(this.config.buildDir ?? join(root, 'dist'), 'bin', `${this.config.app}.js`);
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
    const net = this.config.net;
    let addr: string;
    let connect: FaultNode['connect'];
    let prefix: string[] = [];
    if (net) {
      const host = await net.addHost(id, NETNS_PORT);
      addr = `${host.ip}:${NETNS_PORT}`;
      connect = { path: host.socketPath };
      prefix = net.execPrefix(id);
    } else {
      const port = await freePort();
      addr = `127.0.0.1:${port}`;
      connect = { host: '127.0.0.1', port };
    }
    const base = [script, '--id', id, '--addr', addr, '--data-dir', dataDir, ...this.config.args];
    const node = new FaultNode(id, addr, connect, dataDir, logFile, (extra) => [...prefix, process.execPath, ...base, ...extra]);
    this.nodes.push(node);
    return node;
  }

  node(id: string): FaultNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** What `node` says RAFT LEADER is (address), or null when it cannot say. */
  async leaderSeenBy(node: FaultNode): Promise<string | null> {
    if (!node.running || node.paused) return null;
    try {
      return (await node.call(['RAFT', 'LEADER'], 1000)) as string | null;
    } catch {
      return null;
    }
  }

  /** The member every running member names as leader (undefined while they disagree). */
  async agreedLeader(among: readonly FaultNode[] = this.members.filter((n) => n.running && !n.paused)): Promise<FaultNode | undefined> {
    if (among.length === 0) return undefined;
    const answers = await Promise.all(among.map((n) => this.leaderSeenBy(n)));
    const first = answers[0];
    if (!first || answers.some((a) => a !== first)) return undefined;
    return this.members.find((n) => n.addr === first && n.running);
  }

  /** The current leader as any reachable member sees it (no agreement needed). */
  async anyLeader(): Promise<FaultNode | undefined> {
    for (const node of this.members) {
      const addr = await this.leaderSeenBy(node);
      const leader = this.members.find((n) => n.addr === addr && n.running);
      if (leader) return leader;
    }
    return undefined;
  }

  /** The leader a majority of the members name (a member that is down or removed can't veto). */
  async majorityLeader(): Promise<FaultNode | undefined> {
    const members = this.members;
    const answers = await Promise.all(members.map((n) => this.leaderSeenBy(n)));
    const votes = new Map<string, number>();
    for (const a of answers) if (a) votes.set(a, (votes.get(a) ?? 0) + 1);
    for (const [addr, count] of votes) {
      if (count * 2 > members.length) return this.nodes.find((n) => n.addr === addr && n.running && !n.paused);
    }
    return undefined;
  }

  waitForLeader(among?: readonly FaultNode[], timeoutMs = 30_000): Promise<FaultNode> {
    return waitFor('a leader every running member agrees on', () => this.agreedLeader(among), { timeoutMs, intervalMs: 100 });
  }

  /** The configuration (voters and learners, by id) as the majority's leader reports it. */
  async configuration(): Promise<{ voters: string[]; learners: string[] } | undefined> {
    const leader = await this.majorityLeader();
    if (!leader) return undefined;
    const reply = (await leader.call(['RAFT', 'INFO'])) as unknown[];
    const field = (name: string): string[] | undefined => {
      for (let i = 0; i + 1 < reply.length; i += 2) {
        // "id@host:port,..."
        if (String(reply[i]) === name) return String(reply[i + 1]).split(',').filter((v) => v !== '').map((v) => v.split('@')[0] as string);
      }
      return undefined;
    };
    const voters = field('voters');
    return voters ? { voters, learners: field('learners') ?? [] } : undefined;
  }

  /** The voters' ids, as the majority's leader reports them. */
  async voters(): Promise<string[] | undefined> {
    return (await this.configuration())?.voters;
  }

  /**
   * Makes `members` what the cluster's configuration says (a change the runner gave up on
   * may have happened after all). Returns the nodes that joined or left the runner's view.
   */
  async reconcile(): Promise<{ added: FaultNode[]; dropped: FaultNode[] } | undefined> {
    const conf = await this.configuration().catch(() => undefined);
    if (!conf) return undefined;
    const inConf = new Set([...conf.voters, ...conf.learners]);
    const added = this.nodes.filter((n) => !n.member && inConf.has(n.id));
    const dropped = this.nodes.filter((n) => n.member && !inConf.has(n.id));
    for (const n of added) n.member = true;
    for (const n of dropped) n.member = false;
    return { added, dropped };
  }

  async waitForVoters(count: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(`${count} voters`, async () => (await this.voters())?.length === count, { timeoutMs, intervalMs: 200 });
  }

  /** Kills every process and removes the data (unless keep). */
  async stop(keep = false): Promise<void> {
    for (const n of this.nodes) n.resume();
    await Promise.all(this.nodes.map((n) => n.kill9()));
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }
}
