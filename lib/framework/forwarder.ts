/**
 * Leader forwarding: a follower sends a client's command to the leader over a pooled
 * connection and relays the reply bytes unchanged. Each client is pinned to one pooled
 * connection, so its pipelined commands reach the leader in order; blocking commands get
 * a connection of their own, per client, so a long wait never holds up others.
 * Forwarding connections identify with RAFT.FORWARDER <cluster secret>: the leader then
 * knows not to forward them again (no loops while leadership moves).
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Logger } from 'pino';
import { ReplyReader } from '../resp/reply-reader.js';
import { RawReply, type ProtocolVersion, type Reply } from '../resp/types.js';
import { respCommand } from '../transport/peer-link.js';
import { parseHostPort } from './options.js';
import { PendingReply } from './connection.js';
import { frameworkErrors } from './errors.js';

export interface ForwarderConfig {
  readonly secret: string | null;
  readonly tls: boolean;
  readonly poolSize: number;
  readonly timeoutMs: number;
  readonly maxReplyBytes: number;
  readonly log: Logger;
}

type Waiter = { readonly deliver: (reply: Reply) => void; readonly internal: boolean; readonly written: boolean };

/** One connection to the leader with a FIFO of callers waiting for replies. */
class ForwardConnection {
  private readonly socket: Socket;
  private readonly reader: ReplyReader;
  private readonly waiters: Waiter[] = [];
  private connected = false;
  private db = 0;
  closed = false;

  constructor(
    readonly addr: string,
    readonly proto: ProtocolVersion,
    private readonly config: ForwarderConfig,
    private readonly onClose: (c: ForwardConnection) => void,
  ) {
    const { host, port } = parseHostPort(addr, 'leader address');
    this.reader = new ReplyReader({ maxBulkBytes: config.maxReplyBytes, maxBufferedBytes: config.maxReplyBytes * 2 });
    this.socket = config.tls ? connectTls({ host, port, rejectUnauthorized: false }) : connectTcp({ host, port });
    this.socket.setNoDelay(true);
    this.socket.once(config.tls ? 'secureConnect' : 'connect', () => {
      this.connected = true;
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => config.log.debug({ addr, err: err.message }, 'forward connection error'));
    this.socket.on('close', () => this.fail());
    this.sendInternal(['RAFT.FORWARDER', config.secret ?? '']);
    if (proto === 3) this.sendInternal(['HELLO', '3']);
  }

  get idle(): boolean {
    return this.waiters.length === 0;
  }

  send(db: number, args: readonly Uint8Array[], slot: PendingReply, timeoutMs: number | null): void {
    if (db !== this.db) {
      this.sendInternal(['SELECT', String(db)]);
      this.db = db;
    }
    let timer: NodeJS.Timeout | null = null;
    const deliver = (reply: Reply): void => {
      if (timer !== null) clearTimeout(timer);
      slot.resolve(reply);
    };
    if (timeoutMs !== null) {
      timer = setTimeout(() => slot.resolve(frameworkErrors.timedOut(timeoutMs)), timeoutMs);
      timer.unref();
    }
    this.waiters.push({ deliver, internal: false, written: this.connected });
    this.socket.write(respCommand(args));
  }

  close(): void {
    this.socket.destroy();
  }

  private sendInternal(args: readonly string[]): void {
    this.waiters.push({ deliver: () => {}, internal: true, written: this.connected });
    this.socket.write(respCommand(args));
  }

  private onData(chunk: Buffer): void {
    const error = this.reader.push(chunk, (raw) => {
      const waiter = this.waiters.shift();
      if (waiter === undefined) {
        this.config.log.warn({ addr: this.addr }, 'reply from the leader with no request waiting');
        return;
      }
      if (waiter.internal) {
        if (raw[0] === 0x2d /* '-' */) this.config.log.error({ addr: this.addr, reply: raw.toString('latin1').trim() }, 'leader refused the forwarding handshake');
        return;
      }
      waiter.deliver(new RawReply(raw));
    });
    if (error !== null) {
      this.config.log.error({ addr: this.addr, err: error.message }, 'malformed reply from the leader');
      this.socket.destroy();
    }
  }

  private fail(): void {
    if (this.closed) return;
    this.closed = true;
    const waiters = this.waiters.splice(0);
    for (const w of waiters) {
      // A command that never left this node cannot have been applied.
      w.deliver(this.connected || w.written ? frameworkErrors.forwardLost() : frameworkErrors.forwardUnavailable(`connection to ${this.addr} failed`));
    }
    this.onClose(this);
  }
}

export class Forwarder {
  private readonly pools = new Map<string, ForwardConnection[]>();
  private readonly dedicated = new Map<number, ForwardConnection>();
  forwarded = 0;

  constructor(private readonly config: ForwarderConfig) {}

  /** Sends a command to the leader on the client's pinned pooled connection. */
  forward(clientId: number, proto: ProtocolVersion, leaderAddr: string, db: number, args: readonly Uint8Array[]): PendingReply {
    const key = `${proto}|${leaderAddr}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = [];
      this.pools.set(key, pool);
    }
    const i = clientId % this.config.poolSize;
    let conn = pool[i];
    if (conn === undefined || conn.closed) {
      conn = new ForwardConnection(leaderAddr, proto, this.config, () => {});
      pool[i] = conn;
    }
    return this.send(conn, db, args, this.config.timeoutMs);
  }

  /** Sends a blocking command on the client's own connection to the leader (no timeout: it may wait long). */
  forwardBlocking(clientId: number, proto: ProtocolVersion, leaderAddr: string, db: number, args: readonly Uint8Array[]): PendingReply {
    let conn = this.dedicated.get(clientId);
    if (conn === undefined || conn.closed || conn.addr !== leaderAddr || conn.proto !== proto) {
      conn?.close();
      conn = new ForwardConnection(leaderAddr, proto, this.config, (c) => {
        if (this.dedicated.get(clientId) === c) this.dedicated.delete(clientId);
      });
      this.dedicated.set(clientId, conn);
    }
    return this.send(conn, db, args, null);
  }

  /** The client is gone: its dedicated connection goes too (the leader then sees its wait abandoned). */
  clientClosed(clientId: number): void {
    const conn = this.dedicated.get(clientId);
    if (conn === undefined) return;
    this.dedicated.delete(clientId);
    conn.close();
  }

  /** Closes idle pooled connections to nodes that are no longer the leader. */
  leaderChanged(leaderAddr: string | null): void {
    for (const [key, pool] of this.pools) {
      if (leaderAddr !== null && key.endsWith(`|${leaderAddr}`)) continue;
      for (const c of pool) if (c !== undefined && c.idle) c.close();
      if (pool.every((c) => c === undefined || c.idle)) this.pools.delete(key);
    }
  }

  close(): void {
    // Pools are indexed by client pin, so they may have holes.
    for (const pool of this.pools.values()) for (const c of pool) c?.close();
    for (const c of this.dedicated.values()) c.close();
    this.pools.clear();
    this.dedicated.clear();
  }

  private send(conn: ForwardConnection, db: number, args: readonly Uint8Array[], timeoutMs: number | null): PendingReply {
    const slot = new PendingReply();
    this.forwarded++;
    conn.send(db, args, slot, timeoutMs);
    return slot;
  }
}
