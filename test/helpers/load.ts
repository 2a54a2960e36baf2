/**
 * Bounded write loads for end-to-end tests: each writer SETs unique keys through one
 * node, one at a time, and records which writes were acknowledged (OK), which failed
 * with an error that proves nothing was applied, and which are uncertain. A writer whose
 * connection breaks reconnects. Loads stop at a deadline or on stop().
 */
import type { Redis } from 'ioredis';
import type { NodeProcess } from './cluster.js';

export interface WriteRecord {
  readonly key: string;
  readonly value: string;
  readonly startedMs: number;
  readonly endedMs: number;
  readonly outcome: 'ok' | 'fail' | 'unknown';
  readonly error?: string;
}

/** Error replies that prove the command was not applied. */
export function provesNotApplied(message: string): boolean {
  return /^(TRYAGAIN|CLUSTERDOWN|MOVED|NOAUTH|ERR (wrong number|unknown command|syntax))/.test(message);
}

export class Writer {
  readonly records: WriteRecord[] = [];
  private client: Redis | null = null;
  private stopped = false;
  private seq = 0;
  readonly done: Promise<void>;

  constructor(
    readonly name: string,
    private readonly target: () => NodeProcess | undefined,
    deadlineMs: number,
  ) {
    this.done = this.loop(deadlineMs);
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  acknowledged(): WriteRecord[] {
    return this.records.filter((r) => r.outcome === 'ok');
  }

  private async loop(deadlineMs: number): Promise<void> {
    while (!this.stopped && Date.now() < deadlineMs) {
      const node = this.target();
      if (node === undefined || !node.running) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      this.client ??= node.client();
      const key = `${this.name}:${this.seq++}`;
      const value = `${key}@${Date.now()}`;
      const startedMs = Date.now();
      try {
        const reply = await withTimeout(this.client.set(key, value), 5000);
        this.records.push({ key, value, startedMs, endedMs: Date.now(), outcome: reply === 'OK' ? 'ok' : 'unknown' });
      } catch (err) {
        const message = (err as Error).message;
        const outcome = provesNotApplied(message) ? 'fail' : 'unknown';
        this.records.push({ key, value, startedMs, endedMs: Date.now(), outcome, error: message });
        if (outcome === 'unknown') {
          this.client.disconnect();
          this.client = null;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    this.client?.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e as Error);
      },
    );
  });
}

/** Reads keys from one node in MGET batches; returns key -> value (null when missing). */
export async function readAll(node: NodeProcess, keys: readonly string[]): Promise<Map<string, string | null>> {
  const client = node.client();
  const out = new Map<string, string | null>();
  try {
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const values = await client.mget(...batch);
      batch.forEach((k, j) => out.set(k, values[j] ?? null));
    }
  } finally {
    client.disconnect();
  }
  return out;
}

/** Bulk state for snapshot tests: `batches` MSETs of 1,000 keys (fill:<batch>:<n>) with 100-byte values. */
export async function fillKeys(client: Redis, batches: number): Promise<void> {
  for (let i = 0; i < batches; i++) {
    const args: string[] = [];
    for (let k = 0; k < 1000; k++) args.push(`fill:${i}:${k}`, 'x'.repeat(100));
    await client.mset(...args);
  }
}
