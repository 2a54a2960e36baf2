/**
 * An in-process host that runs semaphored's handlers the way the framework does, on a
 * controllable replicated clock: app.resolve for unknown-command and arity errors, tick
 * before every write (and on advance(), like the leader's TICK entries), write handlers
 * for writes, read handlers for reads, and a record of blocked clients and wake-ups.
 *
 * It is strict where the framework relies on the app: a wake of a key that nobody waits
 * on, or a read handler that blocks, wakes or mutates, fails the test.
 */
import { encode, decode } from '@msgpack/msgpack';
import { pino } from 'pino';
import { Blocked, type App, type Machine } from '../../lib/framework/app.js';
import { ReplyError, SimpleString, type Reply } from '../../lib/resp/types.js';
import { rngFromSeed, type Rng } from '../../lib/util/rng.js';
import type { SemState } from '../../examples/semaphored/state.js';

export interface Wake {
  readonly key: string;
  readonly reply: Reply;
}

export type Arg = string | number | Buffer;
export type Result = Reply | Blocked;

const silent = pino({ level: 'silent' });

export class SemHost {
  data: SemState;
  /** Keys with a parked client, and the command to propose if the client goes away. */
  readonly blocked = new Map<string, readonly (string | Uint8Array)[]>();
  readonly wakes: Wake[] = [];
  private clock: number;
  private index = 0;
  private readonly rng: Rng;

  constructor(
    readonly app: App<SemState>,
    startMs = 1_700_000_000_000,
    seed = 1,
  ) {
    this.data = app.definition.initialData();
    this.clock = startMs;
    this.rng = rngFromSeed(seed);
  }

  now(): number {
    return this.clock;
  }

  /** Replicated time moves on (a TICK entry): tick runs. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('replicated time never goes back');
    this.clock += ms;
    this.index++;
    this.app.definition.tick?.(this.writeMachine());
  }

  /** Runs one command as the framework would; a handler's thrown ReplyError becomes the reply. */
  send(...args: Arg[]): Result {
    const buffers = args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'latin1')));
    const def = this.app.resolve(buffers);
    if (def instanceof ReplyError) return def;
    try {
      if (def.kind === 'write' && def.write !== undefined) {
        this.index++;
        const m = this.writeMachine();
        this.app.definition.tick?.(m);
        const result = def.write(m, buffers);
        if (result instanceof Blocked) {
          if (def.spec.blocking !== true) throw new Error(`${def.name} blocked but is not registered as blocking`);
          this.blocked.set(result.key, result.onAbandon);
        }
        return result;
      }
      if (def.kind === 'read' && def.read !== undefined) return this.read(def.read, buffers);
      throw new Error(`command ${def.name} has no handler`);
    } catch (err) {
      if (err instanceof ReplyError) return err;
      throw err;
    }
  }

  /** Runs a command given as the framework stores it (e.g. a Blocked's onAbandon). */
  sendCommand(command: readonly (string | Uint8Array)[]): Result {
    return this.send(...command.map((a) => (typeof a === 'string' ? a : Buffer.from(a))));
  }

  /** Wake-ups since the last call, in order. */
  takeWakes(): Wake[] {
    return this.wakes.splice(0);
  }

  /** The state through snapshot(), msgpack and restore(): what a new replica would load. */
  snapshotBatches(): unknown[] {
    return [...this.app.definition.snapshot(this.data)].map((batch) => decode(encode(batch)));
  }

  /** A fresh host restored from this one's snapshot, with the same clock and parked clients. */
  restoredCopy(): SemHost {
    const copy = new SemHost(this.app, this.clock);
    copy.data = this.app.definition.restore(this.snapshotBatches());
    for (const [key, onAbandon] of this.blocked) copy.blocked.set(key, onAbandon);
    copy.index = this.index;
    return copy;
  }

  private read(handler: (m: Machine<SemState>, args: readonly Buffer[]) => Reply, args: Buffer[]): Reply {
    const before = JSON.stringify(this.snapshotBatches());
    const reply = handler(this.readMachine(), args);
    if (JSON.stringify(this.snapshotBatches()) !== before) throw new Error('a read handler changed the state');
    return reply;
  }

  private writeMachine(): Machine<SemState> {
    const host = this;
    return {
      get data() {
        return host.data;
      },
      set data(d: SemState) {
        host.data = d;
      },
      now: () => host.clock,
      rand: () => host.rng.float(),
      log: silent,
      db: 0,
      index: host.index,
      block: (key, onAbandon) => new Blocked(key, onAbandon),
      wake: (key, reply) => {
        if (!host.blocked.has(key)) throw new Error(`wake of ${key}, which nobody waits on`);
        host.blocked.delete(key);
        host.wakes.push({ key, reply });
      },
      isBlocked: (key) => host.blocked.has(key),
    };
  }

  private readMachine(): Machine<SemState> {
    const host = this;
    return {
      get data() {
        return host.data;
      },
      now: () => host.clock,
      rand: () => Math.random(),
      log: silent,
      db: 0,
      index: host.index,
      block: () => {
        throw new Error('a read handler blocked');
      },
      wake: () => {
        throw new Error('a read handler woke a client');
      },
      isBlocked: (key) => host.blocked.has(key),
    };
  }
}

/** Replies as plain values, so assert.deepEqual compares them and failures print readably. */
export function plain(reply: Result): unknown {
  if (reply instanceof Blocked) return { blocked: reply.key };
  if (reply instanceof ReplyError) return { error: reply.message };
  if (reply instanceof SimpleString) return reply.value;
  if (Buffer.isBuffer(reply)) return reply.toString('latin1');
  if (reply instanceof Map) return Object.fromEntries([...reply].map(([k, v]) => [String(plain(k)), plain(v)]));
  if (Array.isArray(reply)) return reply.map((r: Reply) => plain(r));
  return reply;
}

/** The grant of an ACQUIRE reply or wake: [fence, lease ms, permits]. */
export function grantOf(reply: Result): { fence: number; leaseMs: number; permits: number } {
  const value = plain(reply);
  if (!Array.isArray(value) || value.length !== 3 || !value.every((n) => typeof n === 'number')) {
    throw new Error(`not a grant: ${JSON.stringify(value)}`);
  }
  const [fence, leaseMs, permits] = value as [number, number, number];
  return { fence, leaseMs, permits };
}

/** The wait key the app uses for (key, request ID). */
export function waitKeyOf(key: string, rid: string): string {
  return `sem:${key.length}:${key}${rid}`;
}
