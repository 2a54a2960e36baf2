/**
 * A minimal RESP2 client for tests: sends commands as arrays of bulk strings and reads the
 * replies into Wire values, keeping what ioredis would blur (simple vs bulk string, null
 * bulk vs null array). Works against redis-server and, later, a real kvd node.
 */
import { connect, type Socket } from 'node:net';
import { NULL_ARRAY_WIRE, type Wire } from './wire.js';

export type Arg = string | Buffer | number;

export function encodeCommand(args: readonly Arg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'latin1');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at offset; returns undefined when the buffer does not hold all of it yet. */
function parseReply(buf: Buffer, offset: number): { value: Wire; end: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset] as number);
  const line = buf.toString('latin1', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
    case '-':
    case ':':
      return { value: `${type}${line}`, end: next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return undefined;
      return { value: `$${buf.toString('latin1', next, next + len)}`, end: next + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: NULL_ARRAY_WIRE, end: next };
      const items: Wire[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, at);
        if (item === undefined) return undefined;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new Error(`unexpected RESP2 reply type ${JSON.stringify(type)}`);
  }
}

export class RespClient {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (w: Wire) => void; reject: (e: Error) => void }[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.failAll(err));
    socket.on('close', () => this.failAll(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => {
        socket.off('error', reject);
        resolve(new RespClient(socket));
      });
      socket.once('error', reject);
    });
  }

  send(args: readonly Arg[]): Promise<Wire> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    for (;;) {
      const reply = offset < this.buffer.length ? parseReply(this.buffer, offset) : undefined;
      if (reply === undefined) break;
      offset = reply.end;
      this.waiting.shift()?.resolve(reply.value);
    }
    this.buffer = this.buffer.subarray(offset);
  }

  private failAll(err: Error): void {
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}
