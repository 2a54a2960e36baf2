/**
 * The router decides what happens to every command a connection delivers:
 *  - peer traffic (RAFT.PEER handshake, one-way RAFT.MSG) goes to the transport;
 *  - built-ins (connection commands, RAFT/CLUSTER admin, INFO...) run here;
 *  - app writes are proposed on the leader, forwarded to it from a follower (or answered
 *    -MOVED in redirect mode), and wait for a leader during an election;
 *  - app reads run after a ReadIndex round (or at once with --stale-reads);
 *  - app local commands run on this node.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { NO_REPLY, PendingReply, type ClientConnection, type ConnectionRouter, type DispatchResult } from './connection.js';
import type { CommandTable } from './command-table.js';
import type { BuiltinContext } from './builtins/types.js';
import type { CommandDefinition } from './app.js';
import { arityAccepts } from './app.js';
import { errors, frameworkErrors } from './errors.js';
import { ReplyError, OK, type Reply } from '../resp/types.js';
import type { Replicator } from './replicator.js';
import type { StateMachine } from './state-machine.js';
import type { Forwarder } from './forwarder.js';
import type { TcpTransport } from '../transport/tcp-transport.js';
import type { NodeOptions } from './options.js';
import { Histogram, LATENCY_BUCKETS_S } from '../util/histogram.js';

export interface RouterDeps<D> {
  readonly options: NodeOptions;
  readonly table: CommandTable<D>;
  readonly builtins: BuiltinContext;
  readonly replicator: Replicator<D>;
  readonly sm: StateMachine<D>;
  readonly forwarder: Forwarder;
  readonly transport: TcpTransport;
  readonly log: Logger;
  /** The leader's advertised address, if known. */
  leaderAddr(): string | null;
  /** Set when the node can no longer serve (storage failure, shutdown). */
  unavailable(): ReplyError | null;
}

/** Per-connection bookkeeping the router keeps in ClientConnection.state. */
const LAST_WRITE = 'lastWriteIndex';
const LAST_WRITE_SLOT = 'lastWriteSlot';
const FORWARDED_IN_FLIGHT = 'forwardedInFlight';
const FROM_FORWARDER = 'fromForwarder';
const PEER_ID = 'peerId';

interface LeaderWait {
  readonly retry: () => DispatchResult;
  readonly slot: PendingReply;
  readonly deadline: number;
}

export function secretsMatch(expected: string | null, given: Buffer | undefined): boolean {
  const a = createHash('sha256').update(expected ?? '').digest();
  const b = createHash('sha256').update(given ?? Buffer.alloc(0)).digest();
  return timingSafeEqual(a, b);
}

export class Router<D> implements ConnectionRouter {
  private leaderWaits: LeaderWait[] = [];
  private readonly commandCounts = new Map<string, number>();
  /** Seconds from a command's arrival to its reply, by kind. */
  readonly latency = { write: new Histogram(LATENCY_BUCKETS_S), read: new Histogram(LATENCY_BUCKETS_S), other: new Histogram(LATENCY_BUCKETS_S) };
  private readonly waitTimer: NodeJS.Timeout;
  closedHooks: ((conn: ClientConnection) => void)[] = [];

  constructor(private readonly deps: RouterDeps<D>) {
    this.waitTimer = setInterval(() => this.expireLeaderWaits(), 100);
    this.waitTimer.unref();
  }

  /** Commands processed, by name (INFO commandstats, metrics). */
  get counts(): ReadonlyMap<string, number> {
    return this.commandCounts;
  }

  stop(): void {
    clearInterval(this.waitTimer);
    for (const w of this.leaderWaits) w.slot.resolve(frameworkErrors.shuttingDown());
    this.leaderWaits = [];
  }

  inputEnded(conn: ClientConnection): void {
    // Its own connection to the leader closes, so the leader sees this client go too.
    this.deps.forwarder.clientClosed(conn.id);
    this.deps.replicator.clientClosed(conn.id);
  }

  closed(conn: ClientConnection): void {
    for (const hook of this.closedHooks) hook(conn);
  }

  /** Command names as sent -> lower case; bounded, so odd names cannot grow it. */
  private readonly lowerNames = new Map<string, string>();
  private sampleCounter = 0;

  private lowerName(first: Buffer): string {
    const sent = first.toString('latin1');
    let name = this.lowerNames.get(sent);
    if (name === undefined) {
      name = sent.toLowerCase();
      if (this.lowerNames.size < 1024) this.lowerNames.set(sent, name);
    }
    return name;
  }

  dispatch(conn: ClientConnection, args: Buffer[]): DispatchResult {
    const first = args[0];
    if (first === undefined) return NO_REPLY;
    const name = this.lowerName(first);
    if (conn.role === 'peer') return this.peerCommand(conn, name, args);
    conn.lastCommand = name;
    switch (name) {
      case 'raft.peer':
        return this.peerHandshake(conn, args);
      case 'raft.forwarder':
        return this.forwarderHandshake(conn, args);
      case 'raft.msg':
        this.deps.log.warn({ client: conn.remoteAddress }, 'peer message on a connection that did not authenticate as a peer');
        conn.closeAfterReplies();
        return frameworkErrors.peerNotAuthenticated();
    }
    const entry = this.deps.table.get(name);
    // Counted by known name only: unknown names would let a client grow the map at will.
    const counted = entry === undefined ? 'unknown' : entry.name;
    this.commandCounts.set(counted, (this.commandCounts.get(counted) ?? 0) + 1);
    if (!conn.authenticated && !(entry?.source === 'builtin' && entry.builtin.beforeAuth === true)) return errors.noAuth();
    if (entry === undefined) return errors.unknownCommand(args);
    if (!arityAccepts(entry.spec.arity, args.length)) return errors.wrongArity(entry.name);
    if (entry.source === 'builtin') return entry.builtin.run(this.deps.builtins, conn, args);
    return this.appCommand(conn, entry.app, args);
  }

  private appCommand(conn: ClientConnection, def: CommandDefinition<D>, args: Buffer[]): DispatchResult {
    const down = this.deps.unavailable();
    if (down !== null) return down;
    if (def.kind === 'local') return this.localCommand(conn, def, args);
    // Latency is measured on one command in eight: the histogram stays representative
    // and the hot path skips two clock reads and a listener per command.
    if ((++this.sampleCounter & 7) !== 0) return def.kind === 'write' ? this.write(conn, def, args) : this.read(conn, def, args);
    const started = performance.now();
    const result = def.kind === 'write' ? this.write(conn, def, args) : this.read(conn, def, args);
    const histogram = def.kind === 'write' ? this.latency.write : this.latency.read;
    if (result instanceof PendingReply) result.listen(() => histogram.observe((performance.now() - started) / 1000));
    else histogram.observe((performance.now() - started) / 1000);
    return result;
  }

  private localCommand(conn: ClientConnection, def: CommandDefinition<D>, args: Buffer[]): DispatchResult {
    const handler = def.local;
    if (handler === undefined) return frameworkErrors.internal(def.name, 'no handler');
    try {
      const result = handler({ nodeId: this.deps.options.id, log: this.deps.log }, args);
      if (!(result instanceof Promise)) return result;
      const slot = new PendingReply();
      result.then(
        (reply) => slot.resolve(reply),
        (err: unknown) => slot.resolve(err instanceof ReplyError ? err : frameworkErrors.internal(def.name, err)),
      );
      return slot;
    } catch (err) {
      return err instanceof ReplyError ? err : frameworkErrors.internal(def.name, err);
    }
  }

  private write(conn: ClientConnection, def: CommandDefinition<D>, args: Buffer[]): DispatchResult {
    const { replicator, options } = this.deps;
    if (replicator.isLeader) {
      const owner = def.spec.blocking === true ? conn.id : null;
      const slot = replicator.submitWrite(conn.db, args, owner, (index) => conn.state.set(LAST_WRITE, index));
      // Blocking writes may wait long; later reads of this client must not wait for them.
      if (owner === null) conn.state.set(LAST_WRITE_SLOT, slot);
      return slot;
    }
    if (conn.state.get(FROM_FORWARDER) === true) return frameworkErrors.notLeader();
    const leader = this.deps.leaderAddr();
    if (leader === null) return this.waitForLeader(() => this.write(conn, def, args));
    if (options.redirect) return frameworkErrors.moved(leader);
    return this.forward(conn, leader, args, def.spec.blocking === true);
  }

  private forward(conn: ClientConnection, leader: string, args: Buffer[], blocking: boolean): PendingReply {
    const f = this.deps.forwarder;
    const slot = blocking ? f.forwardBlocking(conn.id, conn.proto, leader, conn.db, args) : f.forward(conn.id, conn.proto, leader, conn.db, args);
    conn.state.set(FORWARDED_IN_FLIGHT, ((conn.state.get(FORWARDED_IN_FLIGHT) as number | undefined) ?? 0) + 1);
    const out = new PendingReply();
    slot.listen((reply) => {
      conn.state.set(FORWARDED_IN_FLIGHT, ((conn.state.get(FORWARDED_IN_FLIGHT) as number | undefined) ?? 1) - 1);
      out.resolve(reply);
    });
    return out;
  }

  private read(conn: ClientConnection, def: CommandDefinition<D>, args: Buffer[]): DispatchResult {
    const { replicator, sm, options } = this.deps;
    const handler = def.read;
    if (handler === undefined) return frameworkErrors.internal(def.name, 'no handler');
    const db = conn.db;
    if (options.staleReads) return sm.read(handler, db, args, def.name);
    if (!replicator.isLeader) {
      const leader = this.deps.leaderAddr();
      if (leader === null) return this.waitForLeader(() => this.read(conn, def, args));
      // Writes of this client are still on their way to the leader: keep its order by sending the read after them.
      if (((conn.state.get(FORWARDED_IN_FLIGHT) as number | undefined) ?? 0) > 0 && !options.redirect) {
        return this.forward(conn, leader, args, false);
      }
    }
    const lastWrite = conn.state.get(LAST_WRITE_SLOT) as PendingReply | undefined;
    if (lastWrite !== undefined && !lastWrite.done && replicator.isLeader) {
      // Read-your-writes inside a pipeline: the read joins the log right behind the write
      // and is answered when applied, so it sees exactly the writes sent before it.
      return replicator.submitWrite(conn.db, args, null);
    }
    const minIndex = (conn.state.get(LAST_WRITE) as number | undefined) ?? 0;
    if (replicator.canReadNow(minIndex)) return sm.read(handler, db, args, def.name);
    return replicator.submitRead(() => sm.read(handler, db, args, def.name), minIndex);
  }

  private waitForLeader(retry: () => DispatchResult): PendingReply {
    const slot = new PendingReply();
    this.leaderWaits.push({ retry, slot, deadline: Date.now() + this.deps.options.leaderWaitMs });
    return slot;
  }

  /** A leader is known again: re-run the commands that waited for one. */
  leaderKnown(): void {
    const waits = this.leaderWaits;
    this.leaderWaits = [];
    for (const w of waits) {
      const result = w.retry();
      if (result instanceof PendingReply) result.pipeTo(w.slot);
      else if (result !== NO_REPLY) w.slot.resolve(result);
    }
  }

  private expireLeaderWaits(): void {
    if (this.leaderWaits.length === 0) return;
    if (this.deps.leaderAddr() !== null) {
      this.leaderKnown();
      return;
    }
    const now = Date.now();
    this.leaderWaits = this.leaderWaits.filter((w) => {
      if (w.deadline > now) return true;
      w.slot.resolve(frameworkErrors.noLeader(this.deps.options.leaderWaitMs));
      return false;
    });
  }

  // ---- peers -------------------------------------------------------------------------

  private peerHandshake(conn: ClientConnection, args: Buffer[]): DispatchResult {
    const peerId = args[2]?.toString('latin1');
    const peerAddr = args[3]?.toString('latin1');
    if ((args.length !== 3 && args.length !== 4) || peerId === undefined) return errors.wrongArity('raft.peer');
    if (!secretsMatch(this.deps.options.clusterSecret, args[1])) {
      this.deps.log.warn({ client: conn.remoteAddress, claimedPeer: peerId }, 'refused a peer: wrong cluster secret');
      conn.closeAfterReplies();
      return frameworkErrors.peerBadSecret();
    }
    conn.role = 'peer';
    conn.authenticated = true;
    conn.state.set(PEER_ID, peerId);
    const maxBytes = this.deps.options.maxPeerMessageBytes;
    conn.setRequestLimits({ maxBulkBytes: maxBytes, maxBufferedBytes: maxBytes * 2 });
    if (peerAddr !== undefined && /^[^\s]{1,255}:\d{1,5}$/.test(peerAddr)) this.deps.transport.learnPeer(peerId, peerAddr);
    this.deps.log.debug({ peer: peerId, addr: conn.remoteAddress }, 'peer connected');
    return OK;
  }

  private forwarderHandshake(conn: ClientConnection, args: Buffer[]): DispatchResult {
    if (args.length !== 2) return errors.wrongArity('raft.forwarder');
    if (!secretsMatch(this.deps.options.clusterSecret, args[1])) {
      this.deps.log.warn({ client: conn.remoteAddress }, 'refused a forwarding connection: wrong cluster secret');
      conn.closeAfterReplies();
      return frameworkErrors.peerBadSecret();
    }
    conn.authenticated = true;
    conn.state.set(FROM_FORWARDER, true);
    return OK;
  }

  private peerCommand(conn: ClientConnection, name: string, args: Buffer[]): DispatchResult {
    const peerId = conn.state.get(PEER_ID) as string;
    if (name !== 'raft.msg') {
      this.deps.log.warn({ peer: peerId, command: name.slice(0, 64) }, 'unexpected command on a peer connection; closing it');
      conn.destroy();
      return NO_REPLY;
    }
    try {
      for (let i = 1; i < args.length; i++) this.deps.transport.receive(args[i] as Buffer, peerId);
    } catch (err) {
      this.deps.log.warn({ peer: peerId, addr: conn.remoteAddress, err: (err as Error).message }, 'garbage from a peer; closing its connection');
      conn.destroy();
    }
    return NO_REPLY;
  }
}
