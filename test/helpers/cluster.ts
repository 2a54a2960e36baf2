/**
 * Real server processes for end-to-end tests: each node is `node dist/bin/<app>.js` on
 * 127.0.0.1 with a port from the OS, its data in a temporary directory and its log in a
 * file there (never a pipe a test could forget to drain). Everything started is stopped
 * by stop(), by process id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis, type RedisOptions } from 'ioredis';
import { freePorts } from './ports.js';
import { waitFor } from './wait.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export type AppName = 'kvd' | 'semaphored';

export interface NodeSpec {
  readonly id: string;
  readonly port: number;
  readonly dataDir: string;
}

export class NodeProcess {
  proc: ChildProcess | null = null;
  readonly logFile: string;
  private starts = 0;

  constructor(
    readonly app: AppName,
    readonly spec: NodeSpec,
    readonly baseArgs: readonly string[],
  ) {
    this.logFile = join(spec.dataDir, '..', `node-${spec.id}.log`);
  }

  get id(): string {
    return this.spec.id;
  }

  get port(): number {
    return this.spec.port;
  }

  get addr(): string {
    return `127.0.0.1:${this.spec.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  start(extraArgs: readonly string[] = []): void {
    if (this.running) throw new Error(`node ${this.id} is already running`);
    this.starts++;
    const script = join(root, 'dist', 'bin', `${this.app}.js`);
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
    const fd = openSync(this.logFile, 'a');
    this.proc = spawn(
      process.execPath,
      [script, '--id', this.id, '--addr', this.addr, '--data-dir', this.spec.dataDir, ...this.baseArgs, ...extraArgs],
      { stdio: ['ignore', fd, fd] },
    );
    closeSync(fd);
  }

  /** Sends a signal and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    const proc = this.proc;
    if (proc === null || !this.running) return proc?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  kill9(): Promise<number | null> {
    return this.stop('SIGKILL');
  }

  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /** The --auth password this node was started with, if any. */
  get password(): string | undefined {
    const i = this.baseArgs.indexOf('--auth');
    return i >= 0 ? this.baseArgs[i + 1] : undefined;
  }

  client(options: { db?: number; password?: string; protocol?: 2 | 3 } = {}): Redis {
    const password = options.password ?? this.password;
    return testClient(this.port, { ...options, ...(password !== undefined ? { password } : {}) });
  }
}

/** An ioredis client set up so retries never hide a bug. */
export function testClient(port: number, options: { db?: number; password?: string; protocol?: 2 | 3 } = {}): Redis {
  const config: RedisOptions = {
    host: '127.0.0.1',
    port,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableOfflineQueue: true,
    retryStrategy: () => null,
    lazyConnect: false,
    ...(options.db !== undefined ? { db: options.db } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
  };
  const client = new Redis(config);
  // Failures reach the test through the rejected command; the event would only add noise.
  client.on('error', () => {});
  return client;
}

export interface ClusterOptions {
  readonly app?: AppName;
  readonly nodes?: number;
  /** Flags for every node. */
  readonly args?: readonly string[];
  /** Start only the first node (bootstrap) and let the test add the others. */
  readonly bootstrapOnly?: boolean;
}

export class TestCluster {
  readonly nodes: NodeProcess[] = [];
  readonly dir: string;
  readonly app: AppName;
  private readonly args: readonly string[];

  private constructor(app: AppName, args: readonly string[]) {
    this.app = app;
    this.args = args;
    this.dir = mkdtempSync(join(tmpdir(), `respraft-${app}-`));
  }

  static async start(options: ClusterOptions = {}): Promise<TestCluster> {
    const cluster: TestCluster = new TestCluster(options.app ?? 'kvd', options.args ?? []);
    const n = options.nodes ?? 3;
    await cluster.addNodes(n, options.bootstrapOnly === true ? 1 : n);
    return cluster;
  }

  /** Creates `count` node slots and starts `startCount` of them (the first bootstraps, the rest join it). */
  private async addNodes(count: number, startCount: number): Promise<void> {
    const ports = await freePorts(count);
    const first = this.nodes.length === 0;
    for (let i = 0; i < count; i++) {
      const id = String(this.nodes.length + 1);
      const node = new NodeProcess(this.app, { id, port: ports[i] as number, dataDir: join(this.dir, `node-${id}`) }, this.args);
      this.nodes.push(node);
      if (i >= startCount) continue;
      if (first && i === 0) {
        node.start();
        await this.waitForLeader([node]);
      } else {
        node.start(['--join', (this.nodes[0] as NodeProcess).addr]);
      }
    }
    if (startCount > 1 || !first) await this.waitForVoters(this.nodes.filter((n) => n.running).length);
  }

  /** Adds and starts a new node that joins through `via` (default: node 1). */
  async join(via?: NodeProcess): Promise<NodeProcess> {
    const [port] = await freePorts(1);
    const id = String(this.nodes.length + 1);
    const node = new NodeProcess(this.app, { id, port: port as number, dataDir: join(this.dir, `node-${id}`) }, this.args);
    this.nodes.push(node);
    node.start(['--join', (via ?? (this.nodes[0] as NodeProcess)).addr]);
    return node;
  }

  node(id: string): NodeProcess {
    const n = this.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  running(): NodeProcess[] {
    return this.nodes.filter((n) => n.running);
  }

  /** Asks every running node for RAFT LEADER until they agree on a running node. */
  async waitForLeader(among: readonly NodeProcess[] = this.running(), timeoutMs = 15_000): Promise<NodeProcess> {
    return waitFor(
      'a leader that every running node agrees on',
      async () => {
        const answers = await Promise.all(among.map((n) => raftLeader(n.port, n.password).catch(() => null)));
        const first = answers[0];
        if (first === null || first === undefined || answers.some((a) => a !== first)) return undefined;
        return this.nodes.find((n) => n.addr === first && n.running);
      },
      { timeoutMs, intervalMs: 50 },
    );
  }

  async waitForVoters(count: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `${count} voters in the configuration`,
      async () => {
        const leader = await this.waitForLeader(this.running(), timeoutMs);
        const info = await raftInfo(leader.port, leader.password);
        const voters = info.get('voters');
        return voters !== undefined && voters.split(',').filter((v) => v !== '').length === count;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  /**
   * Kills every node (SIGKILL) and deletes the data, unless keepData or the environment
   * says KEEP_TEST_DATA=1 (then the directory, with every node's log, is printed).
   */
  async stop(options: { keepData?: boolean } = {}): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill9()));
    if (options.keepData === true || process.env.KEEP_TEST_DATA === '1') {
      process.stderr.write(`test cluster data and logs kept in ${this.dir}\n`);
      return;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Every node's log, for a failure message. */
  logs(): string {
    return this.nodes.map((n) => `----- node ${n.id} (${n.addr}) -----\n${n.log().split('\n').slice(-60).join('\n')}`).join('\n');
  }
}

/** RAFT LEADER over a fresh connection: the leader's address or null. */
export async function raftLeader(port: number, password?: string): Promise<string | null> {
  const client = testClient(port, password === undefined ? {} : { password });
  try {
    const reply = (await client.call('RAFT', 'LEADER')) as string | null;
    return reply;
  } finally {
    client.disconnect();
  }
}

export async function raftInfo(port: number, password?: string): Promise<Map<string, string>> {
  const client = testClient(port, password === undefined ? {} : { password });
  try {
    const reply = (await client.call('RAFT', 'INFO')) as unknown[];
    const map = new Map<string, string>();
    for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), String(reply[i + 1]));
    return map;
  } finally {
    client.disconnect();
  }
}
