/**
 * One client (or peer) connection: parses requests, hands each to the router, and writes
 * replies strictly in request order however long each command takes. Reading pauses
 * while too many commands are unanswered or too many reply bytes are queued, so a client
 * that never reads cannot grow the server's memory.
 */
import type { Socket } from 'node:net';
import { RequestParser, UNAUTHENTICATED_LIMITS } from '../resp/parser.js';
import { ReplyWriter } from '../resp/writer.js';
import type { RespLimits } from '../resp/limits.js';
import { ReplyError, type ProtocolVersion, type Reply } from '../resp/types.js';

/** A reply that is not known yet: resolved later, exactly once; listeners hear of it in order. */
export class PendingReply {
  done = false;
  reply: Reply = null;
  private listener: ((reply: Reply) => void) | null = null;
  private more: ((reply: Reply) => void)[] | null = null;

  resolve(reply: Reply): void {
    if (this.done) return;
    this.done = true;
    this.reply = reply;
    const first = this.listener;
    const more = this.more;
    this.listener = null;
    this.more = null;
    first?.(reply);
    if (more !== null) for (const fn of more) fn(reply);
  }

  /** Calls fn with the reply when it is resolved (at once if it already is). */
  listen(fn: (reply: Reply) => void): void {
    if (this.done) fn(this.reply);
    else if (this.listener === null) this.listener = fn;
    else (this.more ??= []).push(fn);
  }

  static resolved(reply: Reply): PendingReply {
    const p = new PendingReply();
    p.resolve(reply);
    return p;
  }

  /** Resolves `target` with this reply when it comes. */
  pipeTo(target: PendingReply): void {
    this.listen((reply) => target.resolve(reply));
  }
}

/** For peer messages: the command is one-way and gets no reply at all. */
export const NO_REPLY: unique symbol = Symbol('no reply');

/** What the router returns for a command: a reply now, one later, or none (peer messages). */
export type DispatchResult = Reply | PendingReply | typeof NO_REPLY;

export interface ConnectionRouter {
  dispatch(conn: ClientConnection, args: Buffer[]): DispatchResult;
  /**
   * The client will send nothing more (it closed, or half-closed its side). Waits it left
   * blocked are abandoned; replies to its other commands are still written. Called once,
   * before closed().
   */
  inputEnded(conn: ClientConnection): void;
  /** The connection has closed (client gone, QUIT, error); release what it held. */
  closed(conn: ClientConnection): void;
}

export interface ConnectionLimits {
  readonly resp: RespLimits;
  readonly maxPipelineCommands: number;
  readonly maxOutputBufferBytes: number;
}

export type ConnectionRole = 'client' | 'peer';

let nextConnectionId = 1;

export class ClientConnection {
  readonly id = nextConnectionId++;
  readonly createdAtMs = Date.now();
  readonly remoteAddress: string;
  readonly localAddress: string;
  proto: ProtocolVersion = 2;
  db = 0;
  name: string | null = null;
  libName: string | null = null;
  libVersion: string | null = null;
  private isAuthenticated: boolean;
  role: ConnectionRole = 'client';
  lastCommand = '';
  lastActiveMs = Date.now();
  commandsProcessed = 0;
  /** Free-form per-connection state owned by the router (forwarding pins, last write index...). */
  readonly state = new Map<string, unknown>();

  private readonly parser: RequestParser;
  private readonly writer = new ReplyWriter();
  private readonly pending: PendingReply[] = [];
  private pendingHead = 0;
  private flushScheduled = false;
  private closeAfterFlush = false;
  private closed = false;
  private pausedForPipeline = false;
  private pausedForOutput = false;

  constructor(
    private readonly socket: Socket,
    private readonly router: ConnectionRouter,
    private readonly limits: ConnectionLimits,
    requireAuth: boolean,
  ) {
    this.isAuthenticated = !requireAuth;
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.localAddress = `${socket.localAddress ?? '?'}:${socket.localPort ?? 0}`;
    this.parser = new RequestParser(limits.resp);
    // As Redis does: until a client authenticates, it may send only small commands.
    if (requireAuth) this.parser.setLimits(UNAUTHENTICATED_LIMITS, { unauthenticated: true });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('end', () => {
      // The client sent everything it will send: answer what is pending, then close.
      // A killed client looks the same (FIN), so its blocked waits are let go now.
      this.closeAfterFlush = true;
      this.endInput();
      this.flush();
    });
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.destroy());
  }

  get authenticated(): boolean {
    return this.isAuthenticated;
  }

  set authenticated(value: boolean) {
    if (value === this.isAuthenticated) return;
    this.isAuthenticated = value;
    if (value) this.parser.setLimits(this.limits.resp);
    else this.parser.setLimits(UNAUTHENTICATED_LIMITS, { unauthenticated: true });
  }

  /** Pending (unanswered) commands. */
  get pipelineDepth(): number {
    return this.pending.length - this.pendingHead;
  }

  get outputBytes(): number {
    return this.socket.writableLength + this.writer.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Changes the request limits (tighter before AUTH, wider for peers). */
  setRequestLimits(limits: Partial<RespLimits>): void {
    this.parser.setLimits(limits);
  }

  /** Sends the replies queued so far, then closes (QUIT). */
  closeAfterReplies(): void {
    this.closeAfterFlush = true;
  }

  /** Writes an out-of-band reply (RESP3 push, or an error before closing). */
  writeNow(reply: Reply): void {
    if (this.closed) return;
    this.writeReply(reply);
    this.scheduleFlush();
  }

  /**
   * A reply that cannot be encoded (a handler returned a float as an integer, say) is a
   * bug in that handler: the client gets an error in its place, and nothing else breaks.
   */
  private writeReply(reply: Reply): void {
    try {
      this.writer.write(reply, this.proto);
    } catch (err) {
      this.writer.write(new ReplyError(`ERR internal error: the reply could not be encoded (${(err as Error).message})`), this.proto);
    }
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.endInput();
    this.socket.destroy();
    this.router.closed(this);
  }

  private inputDone = false;

  private endInput(): void {
    if (this.inputDone) return;
    this.inputDone = true;
    this.router.inputEnded(this);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.lastActiveMs = Date.now();
    const error = this.parser.push(chunk, (args) => this.onCommand(args));
    if (error !== null) {
      this.enqueueReply(new ReplyError(`ERR Protocol error: ${error.message}`));
      this.closeAfterFlush = true;
      this.socket.pause();
    }
    this.flush();
    this.applyBackPressure();
  }

  private onCommand(args: Buffer[]): void {
    if (this.closeAfterFlush || this.closed) return;
    this.commandsProcessed++;
    const result = this.router.dispatch(this, args);
    if (result === NO_REPLY) return;
    if (result instanceof PendingReply) {
      if (result.done && this.pipelineDepth === 0) {
        this.writeReply(result.reply);
      } else {
        this.pending.push(result);
        result.listen(this.replyDone);
      }
    } else {
      this.enqueueReply(result);
    }
  }

  /** A reply known now: written at once unless earlier replies are still pending. */
  private enqueueReply(reply: Reply): void {
    if (this.pipelineDepth === 0) {
      this.writeReply(reply);
      return;
    }
    const slot = new PendingReply();
    slot.done = true;
    slot.reply = reply;
    this.pending.push(slot);
  }

  /** One listener for all of this connection's pending replies (no closure per command). */
  private readonly replyDone = (): void => this.onReplyDone();

  private onReplyDone(): void {
    if (this.closed) return;
    this.drainDone();
    this.scheduleFlush();
  }

  private drainDone(): void {
    while (this.pendingHead < this.pending.length) {
      const slot = this.pending[this.pendingHead];
      if (slot === undefined || !slot.done) break;
      this.writeReply(slot.reply);
      this.pending[this.pendingHead] = undefined as unknown as PendingReply;
      this.pendingHead++;
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    } else if (this.pendingHead === this.pending.length) {
      this.pending.length = 0;
      this.pendingHead = 0;
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Many replies resolve in one synchronous apply pass; write them with one syscall.
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
      this.applyBackPressure();
    });
  }

  private flush(): void {
    if (this.closed) return;
    if (this.writer.length > 0) this.socket.write(this.writer.take());
    if (this.closeAfterFlush && this.pipelineDepth === 0) {
      this.socket.end();
      this.closed = true;
      this.endInput();
      this.router.closed(this);
    }
  }

  private applyBackPressure(): void {
    if (this.closed) return;
    const depth = this.pipelineDepth;
    if (!this.pausedForPipeline && depth >= this.limits.maxPipelineCommands) {
      this.pausedForPipeline = true;
    } else if (this.pausedForPipeline && depth <= this.limits.maxPipelineCommands / 2) {
      this.pausedForPipeline = false;
    }
    if (!this.pausedForOutput && this.socket.writableLength > this.limits.maxOutputBufferBytes) {
      this.pausedForOutput = true;
    }
    if (this.pausedForPipeline || this.pausedForOutput) this.socket.pause();
    else if (!this.closeAfterFlush) this.socket.resume();
  }

  private onDrain(): void {
    if (this.pausedForOutput) {
      this.pausedForOutput = false;
      this.applyBackPressure();
    }
  }
}
