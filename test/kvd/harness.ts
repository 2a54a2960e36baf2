/**
 * An in-process host for kvd's handlers, doing what the framework does for one client:
 * resolve the command (unknown command and arity errors), tick with the replicated time
 * before every write, run write handlers for writes and read handlers for reads, handle
 * SELECT, and turn thrown ReplyErrors into replies. Time is a controllable replicated clock
 * (advance(ms)) or, for comparisons with a real redis-server, the wall clock.
 *
 * For unit tests only: the same tests can later be pointed at a real kvd node through
 * `send` (see differential.ts).
 */
import { pino } from 'pino';
import { Blocked, type App, type Machine, type ReadHandler } from '../../lib/framework/app.js';
import { errors } from '../../lib/framework/errors.js';
import { ReplyError, OK, type Reply } from '../../lib/resp/types.js';
import { rngFromSeed, type Rng } from '../../lib/util/rng.js';
import { kvdApp, type KvData } from '../../examples/kvd/app.js';
import { int32Arg } from '../../examples/kvd/args.js';
import { toWire, type Wire } from './wire.js';
import type { Arg } from './resp-client.js';

/** 2023-11-14T22:13:20Z: a fixed start so tests are reproducible. */
export const START_MS = 1_700_000_000_000;

const silent = pino({ level: 'silent' });

export interface HostOptions {
  seed?: number;
  /** Wall-clock mode: replicated time follows Date.now() (for comparing with redis-server). */
  wallClock?: boolean;
  /** Check that read handlers change nothing (default true; costs a state fingerprint per read). */
  checkReads?: boolean;
  app?: App<KvData>;
}

export class KvdHost {
  readonly app: App<KvData>;
  data: KvData;
  /** The database the client SELECTed. */
  db = 0;
  private manualNow = START_MS;
  private lastNow = 0;
  private index = 0;
  private readonly writeMachine: Machine<KvData>;
  private readonly readMachine: Machine<KvData>;
  private readonly wallClock: boolean;
  private readonly checkReads: boolean;

  constructor(options: HostOptions = {}) {
    this.app = options.app ?? kvdApp;
    this.data = this.app.definition.initialData();
    const rng = rngFromSeed(options.seed ?? 1);
    this.writeMachine = this.makeMachine(rng.fork());
    this.readMachine = this.makeMachine(rng.fork());
    this.wallClock = options.wallClock ?? false;
    this.checkReads = options.checkReads ?? true;
  }

  /** Moves the replicated clock forward. */
  advance(ms: number): void {
    this.manualNow += ms;
  }

  /** Replicated time: never decreasing, like Machine.now() on a replica. */
  now(): number {
    const t = this.wallClock ? Date.now() : this.manualNow;
    this.lastNow = Math.max(this.lastNow, t);
    return this.lastNow;
  }

  /** Runs one command and returns its reply value (errors as ReplyError values). */
  call(...args: Arg[]): Reply {
    const buffers = args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'latin1')));
    try {
      return this.dispatch(buffers);
    } catch (err) {
      if (err instanceof ReplyError) return err;
      throw err;
    }
  }

  /** The same as call, as a RESP2 client would see it. */
  wire(...args: Arg[]): Wire {
    return toWire(this.call(...args));
  }

  /** The pluggable `send` of the differential tests. */
  send = (args: readonly Arg[]): Promise<Wire> => Promise.resolve(this.wire(...args));

  /** Runs the app's tick now, as a leader's periodic TICK entry would. */
  tick(): void {
    this.app.definition.tick?.(this.writeMachine);
  }

  private dispatch(args: Buffer[]): Reply {
    if (args[0]?.toString('latin1').toLowerCase() === 'select') return this.select(args);
    const def = this.app.resolve(args);
    if (def instanceof ReplyError) return def;
    if (def.kind === 'write' && def.write !== undefined) {
      this.index++;
      this.tick();
      const reply = def.write(this.writeMachine, args);
      if (reply instanceof Blocked) throw new Error('kvd never blocks');
      return reply;
    }
    if (def.kind === 'read' && def.read !== undefined) return this.read(def.read, args);
    throw new Error(`command ${def.name} is neither a write nor a read`);
  }

  /** Runs a read handler and checks that it changed nothing (reads run on one replica only). */
  private read(handler: ReadHandler<KvData>, args: Buffer[]): Reply {
    const before = this.checkReads ? this.fingerprint() : '';
    const reply = handler(this.readMachine, args);
    if (this.checkReads && this.fingerprint() !== before) throw new Error(`read command ${args[0]} changed the state`);
    return reply;
  }

  /** The whole state as text: what a snapshot holds. */
  fingerprint(): string {
    const batches = [...this.app.definition.snapshot(this.data)];
    return JSON.stringify(batches, (_key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
    );
  }

  /** SELECT as the framework serves it: per connection, never replicated. */
  private select(args: Buffer[]): Reply {
    if (args.length !== 2) return errors.wrongArity('select');
    const index = int32Arg(args[1] as Buffer);
    if (index < 0 || index >= this.app.databases) return errors.dbIndexOutOfRange();
    this.db = index;
    return OK;
  }

  /** One Machine per kind, made once: building one per command would dominate the cost. */
  private makeMachine(rng: Rng): Machine<KvData> {
    const host = this;
    return {
      get data() {
        return host.data;
      },
      set data(d: KvData) {
        host.data = d;
      },
      now: () => host.now(),
      rand: () => rng.float(),
      log: silent,
      get db() {
        return host.db;
      },
      get index() {
        return host.index;
      },
      block(): Blocked {
        throw new Error('kvd never blocks');
      },
      wake() {
        throw new Error('kvd never wakes waiters');
      },
      isBlocked: () => false,
    };
  }
}
