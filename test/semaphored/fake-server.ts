/**
 * A one-node stand-in for a semaphored server, to test the client module over real TCP
 * with ioredis before the Raft framework exists: RESP2 arrays in, RESP2 replies out; the
 * state machine runs in a SemHost on the wall clock (a tick every 20 ms); parked clients
 * are answered from wake-ups; a client that disconnects while parked is cancelled with
 * the abandon command after `graceMs` unless a retry re-attached first, as the framework
 * promises. It can also drop every connection (a crash) or answer parked clients with a
 * leader-change error (a step-down). Not a RESP server: no inline commands, no RESP3.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { Blocked, type App } from '../../lib/framework/app.js';
import { ReplyError, SimpleString, type Reply } from '../../lib/resp/types.js';
import type { SemState } from '../../examples/semaphored/state.js';
import { SemHost } from './harness.js';

interface Client {
  readonly socket: Socket;
  buffer: Buffer;
  readonly queue: Buffer[][];
  /** The wait key this connection is parked on. */
  parkedOn: string | null;
}

export class FakeSemServer {
  readonly host: SemHost;
  private readonly server: Server;
  private readonly clients = new Set<Client>();
  private readonly attached = new Map<string, Client>();
  private readonly abandonTimers = new Map<string, NodeJS.Timeout>();
  private readonly ticker: NodeJS.Timeout;
  /** Commands the server ran, for tests that count retries. */
  readonly log: string[][] = [];
  /** When set, SEM.* commands are answered `MOVED 0 <redirectTo>`, as a follower in redirect mode. */
  redirectTo: string | null = null;

  constructor(
    app: App<SemState>,
    readonly graceMs = 300,
  ) {
    this.host = new SemHost(app, Date.now());
    this.server = createServer((socket) => this.accept(socket));
    this.ticker = setInterval(() => {
      this.host.advance(Math.max(0, Date.now() - this.host.now()));
      this.deliverWakes();
    }, 20);
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    clearInterval(this.ticker);
    for (const timer of this.abandonTimers.values()) clearTimeout(timer);
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Like a crashed leader: every connection is cut. */
  dropAll(): void {
    for (const client of this.clients) client.socket.destroy();
  }

  /** Like a leader stepping down: parked clients are told to retry; their waits stay replicated. */
  stepDown(): void {
    for (const [key, client] of this.attached) {
      this.attached.delete(key);
      client.parkedOn = null;
      this.write(client, new ReplyError('TRYAGAIN leadership changed; retry the command'));
      this.startAbandonTimer(key);
      this.pump(client);
    }
  }

  private accept(socket: Socket): void {
    const client: Client = { socket, buffer: Buffer.alloc(0), queue: [], parkedOn: null };
    this.clients.add(client);
    socket.on('data', (chunk) => {
      client.buffer = Buffer.concat([client.buffer, chunk]);
      for (let parsed = parseArray(client.buffer); parsed !== null; parsed = parseArray(client.buffer)) {
        client.queue.push(parsed.args);
        client.buffer = client.buffer.subarray(parsed.end);
      }
      this.pump(client);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.clients.delete(client);
      if (client.parkedOn !== null && this.attached.get(client.parkedOn) === client) {
        this.attached.delete(client.parkedOn);
        this.startAbandonTimer(client.parkedOn);
      }
    });
  }

  private startAbandonTimer(key: string): void {
    clearTimeout(this.abandonTimers.get(key));
    const timer = setTimeout(() => {
      this.abandonTimers.delete(key);
      const onAbandon = this.host.blocked.get(key);
      if (onAbandon === undefined || this.attached.has(key)) return;
      this.host.sendCommand(onAbandon);
      this.deliverWakes();
    }, this.graceMs);
    this.abandonTimers.set(key, timer);
  }

  private pump(client: Client): void {
    while (client.parkedOn === null && !client.socket.destroyed) {
      const args = client.queue.shift();
      if (args === undefined) return;
      const result = this.execute(args);
      if (result instanceof Blocked) {
        clearTimeout(this.abandonTimers.get(result.key));
        this.abandonTimers.delete(result.key);
        const previous = this.attached.get(result.key);
        if (previous !== undefined && previous !== client) {
          previous.parkedOn = null;
          this.write(previous, new ReplyError('ERR another connection re-attached to this request'));
        }
        this.attached.set(result.key, client);
        client.parkedOn = result.key;
      } else {
        this.write(client, result);
      }
      this.deliverWakes();
    }
  }

  private execute(args: Buffer[]): Reply | Blocked {
    const name = (args[0]?.toString() ?? '').toUpperCase();
    this.log.push(args.map((a) => a.toString('latin1')));
    if (name === 'HELLO') return new ReplyError('NOPROTO unsupported protocol version');
    if (name === 'INFO') return 'loading:0\r\n';
    if (name === 'CLIENT' || name === 'SELECT' || name === 'AUTH') return new SimpleString('OK');
    if (name === 'PING') return new SimpleString('PONG');
    if (this.redirectTo !== null && name.startsWith('SEM.')) return new ReplyError(`MOVED 0 ${this.redirectTo}`);
    this.host.advance(Math.max(0, Date.now() - this.host.now()));
    return this.host.send(...args);
  }

  private deliverWakes(): void {
    for (const wake of this.host.takeWakes()) {
      const client = this.attached.get(wake.key);
      if (client === undefined) continue; // not attached here: the framework drops it too
      this.attached.delete(wake.key);
      client.parkedOn = null;
      this.write(client, wake.reply);
      this.pump(client);
    }
  }

  private write(client: Client, reply: Reply): void {
    if (!client.socket.destroyed) client.socket.write(encode(reply));
  }
}

/** One RESP array of bulk strings from the start of buf, or null if it is not all there yet. */
function parseArray(buf: Buffer): { args: Buffer[]; end: number } | null {
  const line = (from: number): [string, number] | null => {
    const cr = buf.indexOf('\r\n', from);
    return cr < 0 ? null : [buf.toString('latin1', from, cr), cr + 2];
  };
  const header = line(0);
  if (header === null) return null;
  if (!header[0].startsWith('*')) throw new Error(`fake server: expected an array, got ${header[0]}`);
  const count = Number(header[0].slice(1));
  const args: Buffer[] = [];
  let at = header[1];
  for (let i = 0; i < count; i++) {
    const size = line(at);
    if (size === null) return null;
    const length = Number(size[0].slice(1));
    if (buf.length < size[1] + length + 2) return null;
    args.push(Buffer.from(buf.subarray(size[1], size[1] + length)));
    at = size[1] + length + 2;
  }
  return { args, end: at };
}

function encode(reply: Reply): Buffer {
  if (reply === null) return Buffer.from('$-1\r\n');
  if (typeof reply === 'number' || typeof reply === 'bigint') return Buffer.from(`:${reply}\r\n`);
  if (typeof reply === 'boolean') return Buffer.from(`:${reply ? 1 : 0}\r\n`);
  if (reply instanceof SimpleString) return Buffer.from(`+${reply.value}\r\n`);
  if (reply instanceof ReplyError) return Buffer.from(`-${reply.message}\r\n`);
  if (typeof reply === 'string' || reply instanceof Uint8Array) {
    const bytes = typeof reply === 'string' ? Buffer.from(reply) : Buffer.from(reply);
    return Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n')]);
  }
  if (reply instanceof Map) return encode([...reply].flat());
  if (Array.isArray(reply)) return Buffer.concat([Buffer.from(`*${reply.length}\r\n`), ...reply.map((r: Reply) => encode(r))]);
  throw new Error(`fake server cannot encode ${String(reply)}`);
}
