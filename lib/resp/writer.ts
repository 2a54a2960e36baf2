import {
  BinaryString,
  Double,
  NullArray,
  Push,
  RawReply,
  ReplyError,
  ReplySet,
  SimpleString,
  Verbatim,
  type ProtocolVersion,
  type Reply,
} from './types.js';
import { assert } from '../util/assert.js';

/**
 * Encodes replies for RESP2 or RESP3 (the table in types.ts) into one buffer that is
 * written linearly and reused until it is full.
 *
 * take() returns a VIEW of the bytes written since the last take, not a copy: the writer
 * never writes into a region it has handed out (when the buffer is full it moves the
 * pending bytes to a fresh buffer instead of compacting), so the view can go straight to
 * socket.write and stays valid. This is how node's own Buffer pool works; it measured
 * faster than copying each batch (see bench/resp-parser.ts).
 */

const CR = 13;
const LF = 10;
const SPACE = 32;
/**
 * Size of a fresh buffer (allocated on the first write, so idle connections hold none);
 * a buffer that had to grow past REUSE_MAX is dropped after take().
 */
const SLAB_BYTES = 16 * 1024;
const REUSE_MAX = 1024 * 1024;
/** Strings shorter than this are written with a loop when ASCII: cheaper than a native call. */
const SHORT_STRING = 64;
const EMPTY = Buffer.alloc(0);

export class ReplyWriter {
  private buf = EMPTY;
  /** Start of the bytes not taken yet. */
  private start = 0;
  private pos = 0;

  constructor(private readonly slabBytes = SLAB_BYTES) {}

  /** Bytes written since the last take(). */
  get length(): number {
    return this.pos - this.start;
  }

  /** The bytes written since the last take(), as a view that is never overwritten. */
  take(): Buffer {
    if (this.pos === this.start) return EMPTY;
    const out = this.buf.subarray(this.start, this.pos);
    this.start = this.pos;
    if (this.buf.length > REUSE_MAX) {
      this.buf = EMPTY;
      this.start = this.pos = 0;
    }
    return out;
  }

  /**
   * Encodes `reply`. A value outside the Reply union, or a number that is not a safe
   * integer, is a bug in the caller: it throws and nothing of the reply is kept.
   */
  write(reply: Reply, proto: ProtocolVersion): void {
    const before = this.length;
    try {
      this.value(reply, proto);
    } catch (error) {
      this.pos = this.start + before;
      throw error;
    }
  }

  /** +text (CR and LF become spaces: a status is one line). */
  simple(text: string): void {
    this.ensure(text.length * 3 + 3);
    this.buf[this.pos++] = 43; // +
    this.line(text);
  }

  /** -message; the message starts with the code (ERR, WRONGTYPE, ...). */
  error(message: string): void {
    this.ensure(message.length * 3 + 3);
    this.buf[this.pos++] = 45; // -
    this.line(message);
  }

  /** :n for a safe integer or a bigint. */
  integer(n: number | bigint): void {
    this.prefixedInteger(58, n); // :
  }

  /** A bulk string: a JS string as UTF-8, bytes as they are. */
  bulk(value: string | Uint8Array): void {
    if (typeof value === 'string') this.bulkString(value);
    else this.bulkBytes(value);
  }

  /** The null bulk: $-1 in RESP2, _ in RESP3. */
  nullBulk(proto: ProtocolVersion): void {
    if (proto === 3) this.ascii('_\r\n');
    else this.ascii('$-1\r\n');
  }

  /** *count, to be followed by `count` replies written by the caller. */
  arrayHeader(count: number): void {
    this.prefixedInteger(42, count); // *
  }

  /** %pairs in RESP3 (*2·pairs in RESP2), to be followed by key, value, ... */
  mapHeader(pairs: number, proto: ProtocolVersion): void {
    if (proto === 3) this.prefixedInteger(37, pairs); // %
    else this.prefixedInteger(42, pairs * 2);
  }

  /** Bytes already encoded for this connection's protocol. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  // ---- the Reply union ----

  private value(reply: Reply, proto: ProtocolVersion): void {
    switch (typeof reply) {
      case 'string':
        return this.bulkString(reply);
      case 'number':
        return this.integer(reply);
      case 'bigint':
        return this.integer(reply);
      case 'boolean':
        if (proto === 3) this.ascii(reply ? '#t\r\n' : '#f\r\n');
        else this.ascii(reply ? ':1\r\n' : ':0\r\n');
        return;
      case 'object':
        return this.object(reply, proto);
      default:
        throw new TypeError(`not a Reply: ${typeof reply}`);
    }
  }

  private object(reply: Exclude<Reply, string | number | bigint | boolean>, proto: ProtocolVersion): void {
    if (reply === null) return this.nullBulk(proto);
    if (reply instanceof Uint8Array) return this.bulkBytes(reply);
    if (reply instanceof BinaryString) return this.bulkLatin1(reply.value);
    if (Array.isArray(reply)) return this.items(42, reply as readonly Reply[], proto);
    if (reply instanceof SimpleString) return this.simple(reply.value);
    if (reply instanceof ReplyError) return this.error(reply.message);
    if (reply instanceof Double) return this.double(reply.value, proto);
    if (reply instanceof RawReply) return this.raw(reply.bytes);
    if (reply instanceof NullArray) return proto === 3 ? this.ascii('_\r\n') : this.ascii('*-1\r\n');
    if (reply instanceof ReplySet) return this.items(proto === 3 ? 126 : 42, reply.items, proto); // ~
    if (reply instanceof Push) return this.items(proto === 3 ? 62 : 42, reply.items, proto); // >
    if (reply instanceof Verbatim) return this.verbatim(reply, proto);
    if (reply instanceof Map) return this.map(reply as ReadonlyMap<Reply, Reply>, proto);
    throw new TypeError(`not a Reply: ${Object.prototype.toString.call(reply)}`);
  }

  private items(prefix: number, items: readonly Reply[], proto: ProtocolVersion): void {
    this.prefixedInteger(prefix, items.length);
    for (const item of items) this.value(item, proto);
  }

  private map(map: ReadonlyMap<Reply, Reply>, proto: ProtocolVersion): void {
    this.mapHeader(map.size, proto);
    for (const [key, value] of map) {
      this.value(key, proto);
      this.value(value, proto);
    }
  }

  private double(value: number, proto: ProtocolVersion): void {
    const text = formatDouble(value);
    if (proto === 2) return this.bulkString(text);
    this.ensure(text.length + 3);
    this.buf[this.pos++] = 44; // ,
    this.pos += this.buf.write(text, this.pos, 'latin1');
    this.crlf();
  }

  private verbatim(reply: Verbatim, proto: ProtocolVersion): void {
    if (proto === 2) return this.bulkString(reply.text);
    assert(/^[a-z]{3}$/.test(reply.format), () => `verbatim format must be three letters, got '${reply.format}'`);
    const length = Buffer.byteLength(reply.text) + 4;
    this.prefixedInteger(61, length); // =
    this.ensure(length + 2);
    this.pos += this.buf.write(reply.format, this.pos, 'latin1');
    this.buf[this.pos++] = 58; // :
    this.pos += this.buf.write(reply.text, this.pos, 'utf8');
    this.crlf();
  }

  // ---- bytes ----

  private bulkString(text: string): void {
    // Short ASCII is the same bytes in UTF-8 and latin1.
    if (text.length < SHORT_STRING && isAscii(text)) return this.bulkLatin1(text);
    const length = Buffer.byteLength(text);
    this.prefixedInteger(36, length);
    this.ensure(length + 2);
    this.pos += this.buf.write(text, this.pos, 'utf8');
    this.crlf();
  }

  private bulkLatin1(bytes: string): void {
    const length = bytes.length;
    this.prefixedInteger(36, length); // $
    this.ensure(length + 2);
    if (length < SHORT_STRING) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < length; i++) buf[pos++] = bytes.charCodeAt(i);
      this.pos = pos;
    } else {
      this.pos += this.buf.write(bytes, this.pos, 'latin1');
    }
    this.crlf();
  }

  private bulkBytes(bytes: Uint8Array): void {
    this.prefixedInteger(36, bytes.length); // $
    this.ensure(bytes.length + 2);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    this.crlf();
  }

  /** The rest of a one-line reply, CR and LF replaced by spaces. Room is already ensured. */
  private line(text: string): void {
    const buf = this.buf;
    if (text.length < SHORT_STRING && isAscii(text)) {
      let pos = this.pos;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        buf[pos++] = c === CR || c === LF ? SPACE : c;
      }
      this.pos = pos;
    } else {
      this.pos += buf.write(/[\r\n]/.test(text) ? text.replace(/[\r\n]/g, ' ') : text, this.pos, 'utf8');
    }
    this.crlf();
  }

  private prefixedInteger(prefix: number, n: number | bigint): void {
    if (typeof n === 'bigint') {
      const text = n.toString();
      this.ensure(text.length + 3);
      this.buf[this.pos++] = prefix;
      this.pos += this.buf.write(text, this.pos, 'latin1');
      this.crlf();
      return;
    }
    assert(Number.isSafeInteger(n), () => `an integer reply must be a safe integer, got ${n} (use Double for floats)`);
    this.ensure(20);
    const buf = this.buf;
    buf[this.pos++] = prefix;
    if (n < 0) {
      buf[this.pos++] = 45; // -
      n = -n;
    }
    if (n < 10) {
      buf[this.pos++] = 48 + n;
    } else {
      let digits = 1;
      for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
      let i = this.pos + digits;
      this.pos = i;
      while (n >= 10) {
        const q = Math.floor(n / 10);
        buf[--i] = 48 + (n - q * 10);
        n = q;
      }
      buf[--i] = 48 + n;
    }
    buf[this.pos++] = CR;
    buf[this.pos++] = LF;
  }

  private ascii(text: string): void {
    this.ensure(text.length);
    const buf = this.buf;
    for (let i = 0; i < text.length; i++) buf[this.pos++] = text.charCodeAt(i);
  }

  private crlf(): void {
    this.ensure(2);
    this.buf[this.pos++] = CR;
    this.buf[this.pos++] = LF;
  }

  /** Room for `bytes` more. When full, the pending bytes move to a fresh buffer: taken views are never overwritten. */
  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const pending = this.pos - this.start;
    const grown = Buffer.allocUnsafe(Math.max(this.slabBytes, (pending + bytes) * 2));
    this.buf.copy(grown, 0, this.start, this.pos);
    this.buf = grown;
    this.start = 0;
    this.pos = pending;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/** The shortest text that reads back as the same double; inf, -inf and nan as RESP3 spells them. */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

const shared = new ReplyWriter();

/** One reply as its own bytes (a view that is never overwritten). */
export function encodeReply(reply: Reply, proto: ProtocolVersion): Buffer {
  shared.write(reply, proto);
  return shared.take();
}
