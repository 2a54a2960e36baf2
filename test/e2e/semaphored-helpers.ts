/**
 * Helpers of the semaphored end-to-end tests: a worker process that holds a permit
 * (semaphored-holder.ts) driven over JSON lines, a waiting redis-cli process, and the
 * server's view of a semaphore (SEM.WAITERS / SEM.INFO as plain objects).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { waitFor } from '../helpers/wait.js';

const holderScript = fileURLToPath(new URL('./semaphored-holder.ts', import.meta.url));

export interface HolderEvent {
  readonly event: string;
  readonly fence?: number;
  readonly valid?: boolean;
  readonly reason?: string;
  readonly message?: string;
  readonly at: number;
}

/** A real child process holding a permit through the client module. */
export class HolderProcess {
  readonly events: HolderEvent[] = [];
  private readonly proc: ChildProcess;
  private readonly exited: Promise<void>;

  constructor(port: number, key: string, leaseMs: number, id: string) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', holderScript, String(port), key, String(leaseMs), id], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
    createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.events.push({ ...(JSON.parse(line) as Omit<HolderEvent, 'at'>), at: Date.now() });
    });
  }

  get pid(): number {
    return this.proc.pid as number;
  }

  /** The first event named `name` after `from` events, failing early on an error event. */
  async next(name: string, from = 0, timeoutMs = 10_000): Promise<HolderEvent> {
    return waitFor(`worker ${this.pid} to report "${name}"`, () => {
      const error = this.events.find((e) => e.event === 'error');
      if (error !== undefined) throw new Error(`worker ${this.pid} failed: ${error.message}`);
      return this.events.slice(from).find((e) => e.event === name);
    }, { timeoutMs });
  }

  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  signal(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  async kill9(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** A redis-cli process blocked in a command; kill9() is a client that dies mid-wait. */
export class CliProcess {
  private readonly proc: ChildProcess;
  private output = '';
  private readonly exited: Promise<void>;

  constructor(port: number, args: readonly string[]) {
    this.proc = spawn('redis-cli', ['-p', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (c: Buffer) => (this.output += c.toString()));
    this.proc.stderr!.on('data', (c: Buffer) => (this.output += c.toString()));
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
  }

  /** Everything redis-cli printed once it exits (its reply). */
  async reply(timeoutMs = 10_000): Promise<string> {
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    return this.output.trim();
  }

  async kill9(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

/** A flat RESP2 `field, value, ...` array as an object. */
function fieldsOf(reply: unknown): Record<string, unknown> {
  const flat = reply as unknown[];
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

export interface WaiterView {
  readonly id: string;
  readonly position: number;
  readonly permits: number;
}

export async function waiters(client: Redis, key: string): Promise<WaiterView[]> {
  const reply = (await client.call('SEM.WAITERS', key)) as unknown[];
  return reply.map((w) => {
    const f = fieldsOf(w);
    return { id: String(f.id), position: Number(f.position), permits: Number(f.permits) };
  });
}

export async function waiterIds(client: Redis, key: string): Promise<string[]> {
  return (await waiters(client, key)).map((w) => w.id);
}

export async function semInfo(client: Redis, key: string): Promise<Record<string, number | string>> {
  return fieldsOf(await client.call('SEM.INFO', key)) as Record<string, number | string>;
}

export async function checkFence(client: Redis, key: string, fence: number): Promise<boolean> {
  return (await client.call('SEM.CHECK', key, fence)) === 1;
}
