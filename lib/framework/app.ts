/**
 * The application API, in the style of Uhaha: an app is a definition object plus command
 * handlers. Write handlers are state-machine transitions, applied in log order on every
 * replica; read handlers run on one node against applied state; local handlers run on
 * the node that received the command and never see replicated state.
 */
import type { Logger } from 'pino';
import type { Reply, ReplyError } from '../resp/types.js';
import { errors } from './errors.js';

/** What a handler sees of the replicated state machine. */
export interface Machine<D> {
  /**
   * The application's state. Write handlers and tick may mutate it (or replace it);
   * read handlers must only read it.
   */
  data: D;
  /** Replicated time in ms since the Unix epoch: identical on every replica, never decreasing. */
  now(): number;
  /**
   * Randomness in [0, 1). In write handlers and tick it is replicated: the same sequence on
   * every replica. In read handlers it is a local generator (reads change nothing, so
   * RANDOMKEY-style answers need not agree across nodes).
   */
  rand(): number;
  readonly log: Logger;
  /** The database index the client SELECTed (always 0 for apps with one database). */
  readonly db: number;
  /** Log index of the entry being applied; in a read handler, the applied index read from. */
  readonly index: number;
  /**
   * Parks the client until a later transition calls wake(key). Return the result from a
   * write handler of a command registered with `blocking: true`. Only the node that
   * proposed the command holds the client; every replica records that `key` is waiting.
   * If the client goes away, after `abandonGraceMs` the framework proposes `onAbandon`
   * (for example a cancel command) unless a retry re-attached to the key first. The same
   * happens on a new leader for waiters whose client was attached to the old one.
   */
  block(key: string, onAbandon: readonly (string | Uint8Array)[]): Blocked;
  /** Ends a wait: the parked client (if attached here) gets `reply`. Write handlers and tick only. */
  wake(key: string, reply: Reply): void;
  /** True while some replica-recorded client waits on key (see block). */
  isBlocked(key: string): boolean;
}

/** Marker returned by Machine.block. */
export class Blocked {
  constructor(
    readonly key: string,
    readonly onAbandon: readonly (string | Uint8Array)[],
  ) {}
}

export type WriteHandler<D> = (m: Machine<D>, args: readonly Buffer[]) => Reply | Blocked;
export type ReadHandler<D> = (m: Machine<D>, args: readonly Buffer[]) => Reply;

/** What a local handler knows: the node, never the replicated state. */
export interface LocalContext {
  readonly nodeId: string;
  readonly log: Logger;
}
export type LocalHandler = (ctx: LocalContext, args: readonly Buffer[]) => Reply | Promise<Reply>;

/** One argument in COMMAND DOCS (what redis-cli shows as a hint). */
export interface ArgumentSpec {
  readonly name: string;
  readonly type: 'key' | 'string' | 'integer' | 'double' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';
  readonly token?: string;
  readonly optional?: boolean;
  readonly multiple?: boolean;
  readonly arguments?: readonly ArgumentSpec[];
}

export interface CommandSpec {
  /** Redis arity: the argument count including the name; negative means at least -arity. */
  readonly arity: number;
  /** COMMAND INFO flags, e.g. 'write', 'readonly', 'fast', 'denyoom', 'blocking'. */
  readonly flags?: readonly string[];
  /** Key positions for COMMAND INFO (1-based; 0 when the command takes no keys). */
  readonly firstKey?: number;
  readonly lastKey?: number;
  readonly step?: number;
  readonly summary?: string;
  readonly since?: string;
  readonly group?: string;
  readonly complexity?: string;
  readonly arguments?: readonly ArgumentSpec[];
  /** The handler may return Machine.block(...); forwarded on a connection of its own. */
  readonly blocking?: boolean;
}

export type CommandKind = 'write' | 'read' | 'local';

export interface CommandDefinition<D> {
  /** Lower-case name. */
  readonly name: string;
  readonly kind: CommandKind;
  readonly spec: CommandSpec;
  readonly write?: WriteHandler<D>;
  readonly read?: ReadHandler<D>;
  readonly local?: LocalHandler;
}

export interface AppDefinition<D> {
  /** Program name: logs, INFO, the environment-variable prefix (kvd -> KVD_ADDR). */
  readonly name: string;
  readonly version: string;
  /** How many databases SELECT accepts (kvd: 16). Default 1. */
  readonly databases?: number;
  /** State of a new cluster. */
  initialData(): D;
  /** The state as a sequence of msgpack-encodable batches (no Map/Set: convert them). */
  snapshot(data: D): Iterable<unknown>;
  /** Rebuilds state from the batches snapshot() produced. */
  restore(batches: Iterable<unknown>): D;
  /**
   * Called when replicated time advances (before the commands of each applied entry and
   * on the leader's periodic TICK entries): expire keys, time out waiters, end leases.
   */
  tick?(m: Machine<D>): void;
  /** Keys in the state, for INFO keyspace: [db, keys, keys with an expiry][]. */
  keyspace?(data: D): readonly (readonly [db: number, keys: number, expires?: number])[];
}

export class App<D> {
  readonly commands = new Map<string, CommandDefinition<D>>();

  constructor(readonly definition: AppDefinition<D>) {
    const dbs = definition.databases ?? 1;
    if (!Number.isInteger(dbs) || dbs < 1) throw new RangeError(`databases must be a positive integer, got ${dbs}`);
  }

  get name(): string {
    return this.definition.name;
  }

  get databases(): number {
    return this.definition.databases ?? 1;
  }

  addWriteCommand(name: string, spec: CommandSpec, handler: WriteHandler<D>): this {
    return this.add({ name: name.toLowerCase(), kind: 'write', spec, write: handler });
  }

  addReadCommand(name: string, spec: CommandSpec, handler: ReadHandler<D>): this {
    return this.add({ name: name.toLowerCase(), kind: 'read', spec, read: handler });
  }

  addLocalCommand(name: string, spec: CommandSpec, handler: LocalHandler): this {
    return this.add({ name: name.toLowerCase(), kind: 'local', spec, local: handler });
  }

  /**
   * The command for a request, or the error Redis would send: unknown command, or wrong
   * number of arguments. Names match case-insensitively.
   */
  resolve(args: readonly Buffer[]): CommandDefinition<D> | ReplyError {
    const first = args[0];
    const def = first === undefined ? undefined : this.commands.get(first.toString('latin1').toLowerCase());
    if (def === undefined) return errors.unknownCommand(args);
    if (!arityAccepts(def.spec.arity, args.length)) return errors.wrongArity(def.name);
    return def;
  }

  private add(def: CommandDefinition<D>): this {
    if (this.commands.has(def.name)) throw new Error(`command ${def.name} is registered twice`);
    if (!Number.isInteger(def.spec.arity) || def.spec.arity === 0) {
      throw new RangeError(`command ${def.name}: arity must be a non-zero integer`);
    }
    this.commands.set(def.name, def);
    return this;
  }
}

export function defineApp<D>(definition: AppDefinition<D>): App<D> {
  return new App(definition);
}

/** Redis arity: exactly `arity` arguments, or at least -arity when negative (the name counts). */
export function arityAccepts(arity: number, argc: number): boolean {
  return arity > 0 ? argc === arity : argc >= -arity;
}
