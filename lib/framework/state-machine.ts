/**
 * The replicated state machine around an app: applies committed entries in log order,
 * keeps replicated time (never decreasing) and per-entry randomness, records which
 * blocking keys are waiting (replicated), and hands each command's reply to the client
 * that proposed it when that client is attached to this node.
 */
import type { Logger } from 'pino';
import type { Entry } from '../raft/core/types.js';
import { EntryKind } from '../raft/core/types.js';
import { rngFromSeed, type Rng } from '../util/rng.js';
import { ReplyError, type Reply } from '../resp/types.js';
import { Blocked, type App, type Machine } from './app.js';
import { decodePayload, type DecodedCommand } from './entry-codec.js';
import type { PendingReply } from './connection.js';
import { frameworkErrors } from './errors.js';

/** The replies this node waits for from one proposed entry. */
export interface LocalProposal {
  readonly term: number;
  /** One slot per command in the entry, in order. */
  readonly slots: readonly PendingReply[];
}

export type AbandonCommand = readonly (string | Uint8Array)[];

/** Snapshot header: framework state that travels with the app's batches. */
interface SnapshotHeader {
  readonly format: 1;
  readonly app: string;
  readonly timeMs: number;
  readonly blocked: [string, AbandonCommand][];
}

class MachineImpl<D> implements Machine<D> {
  data: D;
  db = 0;
  index = 0;
  writable = false;
  private rng: Rng | null = null;
  private seed = 0;

  constructor(
    private readonly owner: StateMachine<D>,
    data: D,
    readonly log: Logger,
  ) {
    this.data = data;
  }

  now(): number {
    return this.owner.timeMs;
  }

  rand(): number {
    if (!this.writable) return Math.random();
    this.rng ??= rngFromSeed((this.seed ^ Math.imul(this.index, 0x9e3779b1)) >>> 0);
    return this.rng.float();
  }

  /** Sets the per-entry context before applying it. */
  enterEntry(index: number, seed: number): void {
    this.index = index;
    this.seed = seed;
    this.rng = null;
    this.writable = true;
  }

  block(key: string, onAbandon: AbandonCommand): Blocked {
    if (!this.writable) throw new Error('block() is only allowed in write handlers');
    this.owner.blocked.set(key, onAbandon);
    return new Blocked(key, onAbandon);
  }

  wake(key: string, reply: Reply): void {
    if (!this.writable) throw new Error('wake() is only allowed in write handlers and tick');
    this.owner.wakeKey(key, reply);
  }

  isBlocked(key: string): boolean {
    return this.owner.blocked.has(key);
  }
}

export class StateMachine<D> {
  timeMs = 0;
  appliedIndex = 0;
  appliedTerm = 0;
  /** Keys with a waiting client somewhere, and what to propose if that client is gone (replicated). */
  readonly blocked = new Map<string, AbandonCommand>();
  /** Clients parked on this node, by key (local). */
  readonly parked = new Map<string, PendingReply>();
  private readonly machine: MachineImpl<D>;
  /** Called when a client parks on this node (the node watches its connection). */
  onPark: (key: string, slot: PendingReply) => void = () => {};
  /** Called when a wait parks whose client already left (its slot was ended). */
  onOrphanedWait: (key: string) => void = () => {};

  constructor(
    private readonly app: App<D>,
    private readonly log: Logger,
  ) {
    this.machine = new MachineImpl(this, app.definition.initialData(), log);
  }

  get data(): D {
    return this.machine.data;
  }

  /** Applies one committed entry; `local` is set when this node proposed it. */
  applyEntry(entry: Entry, local: LocalProposal | undefined): void {
    this.appliedIndex = entry.index;
    this.appliedTerm = entry.term;
    const sameEntry = local !== undefined && local.term === entry.term;
    if (local !== undefined && !sameEntry) {
      // Another leader's entry replaced ours at this index: ours was never committed.
      for (const slot of local.slots) slot.resolve(frameworkErrors.notCommitted());
    }
    if (entry.kind !== EntryKind.Normal) return;
    const payload = decodePayload(entry.data);
    if (payload.kind === 'noop') return;
    this.machine.enterEntry(entry.index, payload.seed);
    try {
      this.advanceTime(payload.timeMs);
      if (payload.kind === 'commands') this.applyCommands(payload.commands, sameEntry ? local : undefined);
    } finally {
      this.machine.writable = false;
    }
  }

  private advanceTime(timeMs: number): void {
    if (timeMs <= this.timeMs) return;
    this.timeMs = timeMs;
    const tick = this.app.definition.tick;
    if (tick === undefined) return;
    this.machine.db = 0;
    try {
      tick(this.machine);
    } catch (err) {
      this.log.error({ err, index: this.machine.index }, 'app tick failed');
    }
  }

  private applyCommands(commands: readonly DecodedCommand[], local: LocalProposal | undefined): void {
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i];
      if (command === undefined) continue;
      const reply = this.applyCommand(command);
      const slot = local?.slots[i];
      if (reply instanceof Blocked) {
        if (slot !== undefined) this.park(reply.key, slot);
      } else if (slot !== undefined) {
        slot.resolve(reply);
      }
    }
  }

  private applyCommand(command: DecodedCommand): Reply | Blocked {
    const args = command.args;
    const def = this.app.resolve(args);
    if (def instanceof ReplyError) return def;
    // A read is in the log only to keep its place behind a client's writes (read-your-writes).
    const handler = def.write ?? def.read;
    if (handler === undefined) return frameworkErrors.notAWriteCommand(def.name);
    this.machine.db = command.db;
    try {
      return handler(this.machine, args);
    } catch (err) {
      if (err instanceof ReplyError) return err;
      this.log.error({ err, command: def.name, index: this.machine.index }, 'write handler failed');
      return frameworkErrors.internal(def.name, err);
    }
  }

  private park(key: string, slot: PendingReply): void {
    if (slot.done) {
      this.onOrphanedWait(key);
      return;
    }
    const previous = this.parked.get(key);
    if (previous !== undefined && previous !== slot) previous.resolve(frameworkErrors.reattached());
    this.parked.set(key, slot);
    this.onPark(key, slot);
  }

  /** @internal Machine.wake */
  wakeKey(key: string, reply: Reply): void {
    this.blocked.delete(key);
    const slot = this.parked.get(key);
    if (slot === undefined) return;
    this.parked.delete(key);
    slot.resolve(reply);
  }

  /** Every client parked here gets `error` (this node stopped being the leader). */
  releaseParked(error: ReplyError): void {
    const slots = [...this.parked.values()];
    this.parked.clear();
    for (const slot of slots) slot.resolve(error);
  }

  /** Runs a read handler against applied state. */
  read(handler: (m: Machine<D>, args: readonly Buffer[]) => Reply, db: number, args: readonly Buffer[], name: string): Reply {
    this.machine.db = db;
    this.machine.index = this.appliedIndex;
    this.machine.writable = false;
    try {
      return handler(this.machine, args);
    } catch (err) {
      if (err instanceof ReplyError) return err;
      this.log.error({ err, command: name }, 'read handler failed');
      return frameworkErrors.internal(name, err);
    }
  }

  /** The snapshot: a framework header batch, then the app's batches. */
  *snapshotBatches(): Iterable<unknown> {
    const header: SnapshotHeader = {
      format: 1,
      app: this.app.name,
      timeMs: this.timeMs,
      blocked: [...this.blocked].map(([k, v]) => [k, [...v]]),
    };
    yield header;
    yield* this.app.definition.snapshot(this.machine.data);
  }

  /** Replaces all state with a snapshot's (restart, or a snapshot from the leader). */
  restore(batches: Iterable<unknown>, index: number, term: number): void {
    const iterator = batches[Symbol.iterator]();
    const first = iterator.next();
    const header = first.done === true ? null : (first.value as SnapshotHeader);
    if (header === null || header.format !== 1 || header.app !== this.app.name) {
      throw new Error(`snapshot at index ${index} is not a ${this.app.name} snapshot`);
    }
    const rest: Iterable<unknown> = { [Symbol.iterator]: () => iterator };
    this.machine.data = this.app.definition.restore(rest);
    this.timeMs = header.timeMs;
    this.blocked.clear();
    for (const [k, v] of header.blocked) this.blocked.set(k, v);
    this.appliedIndex = index;
    this.appliedTerm = term;
  }
}
