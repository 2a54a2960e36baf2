/**
 * The outbound connection to one peer: connect, prove the cluster secret with
 * RAFT.PEER, then stream one-way RAFT.MSG commands, several messages per write. The queue
 * is bounded in messages and bytes; when it is full new messages are dropped (Raft
 * retransmits), and a lost connection drops what was queued and reconnects with backoff.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { Logger } from 'pino';
import { parseHostPort } from '../framework/options.js';
import type { PeerStats } from './types.js';

export interface PeerLinkConfig {
  readonly selfId: string;
  /** Our advertised address, told to the peer so it can answer before it knows us from the log. */
  readonly selfAddr: string;
  readonly secret: string | null;
  readonly tls: boolean;
  readonly maxQueueMessages: number;
  readonly maxQueueBytes: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** Upper bound of one RAFT.MSG command's payload; keeps each write well under the peer's limit. */
  readonly maxWriteBytes: number;
  readonly log: Logger;
}

const CRLF = Buffer.from('\r\n');
const MSG_NAME = Buffer.from('$8\r\nRAFT.MSG\r\n');

export function respCommand(args: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), CRLF);
  }
  return Buffer.concat(parts);
}

type LinkState = 'idle' | 'connecting' | 'handshake' | 'ready' | 'closed';

export class PeerLink {
  private socket: Socket | null = null;
  private state: LinkState = 'idle';
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private writeScheduled = false;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private handshakeBuffer = '';
  private sent = 0;
  private dropped = 0;
  private reconnects = 0;

  constructor(
    readonly id: string,
    private addr: string,
    private readonly config: PeerLinkConfig,
  ) {
    this.backoffMs = config.reconnectMinMs;
  }

  get address(): string {
    return this.addr;
  }

  stats(): PeerStats {
    return {
      addr: this.addr,
      connected: this.state === 'ready',
      queuedMessages: this.queue.length,
      queuedBytes: this.queuedBytes,
      sentMessages: this.sent,
      droppedMessages: this.dropped,
      reconnects: this.reconnects,
    };
  }

  setAddress(addr: string): void {
    if (addr === this.addr) return;
    this.addr = addr;
    this.resetConnection('address changed');
  }

  enqueue(payload: Uint8Array): void {
    if (this.state === 'closed') return;
    if (this.queue.length >= this.config.maxQueueMessages || this.queuedBytes + payload.length > this.config.maxQueueBytes) {
      this.dropped++;
      return;
    }
    this.queue.push(payload);
    this.queuedBytes += payload.length;
    if (this.state === 'idle' && this.reconnectTimer === null) this.connect();
    else if (this.state === 'ready') this.scheduleWrite();
  }

  close(): void {
    this.state = 'closed';
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.socket?.destroy();
    this.socket = null;
    this.queue = [];
    this.queuedBytes = 0;
  }

  private connect(): void {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    let host: string;
    let port: number;
    try {
      ({ host, port } = parseHostPort(this.addr, `address of peer ${this.id}`));
    } catch (err) {
      this.config.log.error({ peer: this.id, addr: this.addr, err: (err as Error).message }, 'bad peer address');
      this.scheduleReconnect();
      return;
    }
    const socket = this.config.tls ? connectTls({ host, port, rejectUnauthorized: false }) : connectTcp({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.once(this.config.tls ? 'secureConnect' : 'connect', () => {
      if (this.socket !== socket) return;
      this.state = 'handshake';
      this.handshakeBuffer = '';
      socket.write(respCommand(['RAFT.PEER', this.config.secret ?? '', this.config.selfId, this.config.selfAddr]));
    });
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('drain', () => this.scheduleWrite());
    socket.on('error', (err) => {
      if (this.socket === socket) this.config.log.debug({ peer: this.id, addr: this.addr, err: err.message }, 'peer connection error');
    });
    socket.on('close', () => {
      if (this.socket === socket) this.resetConnection('closed');
    });
  }

  private onData(socket: Socket, chunk: Buffer): void {
    if (this.socket !== socket) return;
    if (this.state !== 'handshake') {
      // Peers answer RAFT.MSG with nothing; anything here is an error the peer wants us to see.
      this.config.log.warn({ peer: this.id, reply: chunk.subarray(0, 200).toString('latin1') }, 'unexpected reply on peer connection');
      return;
    }
    this.handshakeBuffer += chunk.toString('latin1');
    const end = this.handshakeBuffer.indexOf('\r\n');
    if (end < 0) {
      if (this.handshakeBuffer.length > 1024) this.resetConnection('oversized handshake reply');
      return;
    }
    const line = this.handshakeBuffer.slice(0, end);
    if (line !== '+OK') {
      this.config.log.error({ peer: this.id, addr: this.addr, reply: line }, 'peer refused the handshake (cluster secret or id mismatch?)');
      this.resetConnection('handshake refused');
      return;
    }
    this.state = 'ready';
    this.backoffMs = this.config.reconnectMinMs;
    this.scheduleWrite();
  }

  private scheduleWrite(): void {
    if (this.writeScheduled || this.state !== 'ready') return;
    this.writeScheduled = true;
    // Messages produced in the same turn of the event loop leave in one write.
    setImmediate(() => {
      this.writeScheduled = false;
      this.writeQueued();
    });
  }

  private writeQueued(): void {
    const socket = this.socket;
    if (socket === null || this.state !== 'ready') return;
    while (this.queue.length > 0 && socket.writableLength < this.config.maxWriteBytes) {
      let bytes = 0;
      let count = 0;
      while (count < this.queue.length && (count === 0 || bytes + (this.queue[count]?.length ?? 0) <= this.config.maxWriteBytes)) {
        bytes += this.queue[count]?.length ?? 0;
        count++;
      }
      const batch = this.queue.splice(0, count);
      this.queuedBytes -= bytes;
      const parts: Buffer[] = [Buffer.from(`*${batch.length + 1}\r\n`), MSG_NAME];
      for (const payload of batch) {
        parts.push(Buffer.from(`$${payload.length}\r\n`), Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), CRLF);
      }
      this.sent += batch.length;
      if (!socket.write(Buffer.concat(parts))) return; // resume on 'drain'
    }
  }

  private resetConnection(reason: string): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.socket?.destroy();
    this.socket = null;
    this.dropped += this.queue.length;
    this.queue = [];
    this.queuedBytes = 0;
    this.state = 'idle';
    if (wasReady) this.config.log.info({ peer: this.id, addr: this.addr, reason }, 'peer connection lost');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state === 'closed' || this.reconnectTimer !== null) return;
    this.state = 'idle';
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.config.reconnectMaxMs);
    this.reconnects++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      // Connect again only when there is something to say; the next enqueue connects otherwise.
      if (this.queue.length > 0) this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }
}
