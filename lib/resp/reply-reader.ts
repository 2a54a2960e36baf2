import {
  Double,
  NULL_ARRAY,
  ProtocolError,
  Push,
  ReplyError,
  ReplySet,
  SimpleString,
  Verbatim,
  type Reply,
} from './types.js';
import { type RespLimits, validateRespLimits } from './limits.js';
import { CR, LF, isInteger, parseLengthOrNull, printable } from './scan.js';

/**
 * An incremental reader of REPLIES (RESP2 and RESP3), used by leader forwarding to relay a
 * reply unchanged: it finds where each top-level reply ends and hands over exactly its
 * bytes. Types: + - : $ * _ , # ! = ( % ~ > and | (attributes, kept with the reply that
 * follows them). A RESP3 push (`>`) comes out like any other top-level reply: the caller
 * tells it apart by its first byte. Streamed strings and aggregates (`$?`, `*?`) are not
 * supported: no Redis command sends them.
 *
 * Nesting is tracked with an explicit stack (no recursion), bounded by maxNestingDepth.
 * Bytes of an incomplete reply are carried in one growable buffer; every byte is scanned
 * a bounded number of times, whatever the chunk splits.
 */

const ATTRIBUTE = 124; // |
export const REPLY_BUFFER_LIMIT = 'reply buffer limit exceeded';

interface Frame {
  /** Values still to read in this aggregate. */
  remaining: number;
  /** An attribute does not count as a value of its parent: the value after it does. */
  attribute: boolean;
}

export class ReplyReader {
  private limits: RespLimits;
  private error: ProtocolError | null = null;
  /** Carried bytes: the start of the incomplete reply, at offset 0. */
  private carry = Buffer.allocUnsafe(0);
  private carryLength = 0;
  /** Parse position and line-scan position, relative to the reply's first byte. */
  private offset = 0;
  private scanFrom = 0;
  /** Bytes still expected of the blob being read (data + CRLF), 0 when reading lines. */
  private blobLeft = 0;
  private stack: Frame[] = [];
  /** Set by element() when the line it read was a whole value (not a header). */
  private completedValue = false;

  constructor(limits: Partial<RespLimits> = {}) {
    this.limits = validateRespLimits(limits);
  }

  setLimits(limits: Partial<RespLimits>): void {
    this.limits = validateRespLimits({ ...this.limits, ...limits });
  }

  /** Bytes of an incomplete reply held now. */
  get bufferedBytes(): number {
    return this.carryLength;
  }

  /**
   * Reads `chunk`, calling onReply with a copy of every complete top-level reply, in
   * order. Returns null, or the ProtocolError that must end the connection (replies before
   * it were delivered); from then on it returns the same error.
   */
  push(chunk: Buffer, onReply: (raw: Buffer) => void): ProtocolError | null {
    if (this.error) return this.error;
    let buf = chunk;
    let end = chunk.length;
    if (this.carryLength > 0) {
      this.append(chunk);
      buf = this.carry;
      end = this.carryLength;
    }
    let start = 0;
    while (start < end) {
      const stop = this.readReply(buf, start, end);
      if (stop === -1) return this.error;
      if (stop === -2) break;
      onReply(Buffer.from(buf.subarray(start, stop)));
      start = stop;
    }
    this.keep(buf, start, end);
    return null;
  }

  /** Keeps buf[start, end), the incomplete reply, at the start of the carry buffer. */
  private keep(buf: Buffer, start: number, end: number): void {
    const length = end - start;
    if (buf === this.carry) {
      if (start > 0) this.carry.copyWithin(0, start, end);
    } else {
      this.carryLength = 0;
      this.append(buf.subarray(start, end));
    }
    this.carryLength = length;
    if (length === 0 && this.carry.length > 1024 * 1024) this.carry = Buffer.allocUnsafe(0);
  }

  private append(bytes: Buffer): void {
    const needed = this.carryLength + bytes.length;
    if (needed > this.carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.carry.length * 2, 4096));
      this.carry.copy(grown, 0, 0, this.carryLength);
      this.carry = grown;
    }
    bytes.copy(this.carry, this.carryLength);
    this.carryLength = needed;
  }

  /**
   * Continues the reply that starts at `start`. Returns the position after it when
   * complete (state reset), -2 when it needs more bytes (state kept, relative to start),
   * or -1 after recording an error.
   */
  private readReply(b: Buffer, start: number, end: number): number {
    let pos = start + this.offset;
    for (;;) {
      if (this.blobLeft > 0) {
        const available = Math.min(this.blobLeft, end - pos);
        pos += available;
        this.blobLeft -= available;
        if (this.blobLeft > 0) return this.suspend(pos - start);
        if (b[pos - 2] !== CR || b[pos - 1] !== LF) return this.fail('expected CRLF after a bulk reply');
        if (this.valueDone()) return this.finish(pos);
        continue;
      }
      let cr = b.indexOf(CR, Math.max(pos, start + this.scanFrom));
      if (cr >= end) cr = -1; // the carry buffer has room past `end`
      const lineEnd = cr < 0 ? end : cr;
      const limitError = this.lineLimitError(pos - start, lineEnd - pos);
      if (limitError) return this.fail(limitError);
      if (cr < 0 || cr + 1 >= end) {
        this.scanFrom = lineEnd - start;
        return this.suspend(pos - start);
      }
      if (b[cr + 1] !== LF) return this.fail(`expected '\\n' after '\\r' in a reply`);
      const next = this.element(b, pos, cr, start);
      if (next < 0) return -1;
      pos = next;
      if (this.blobLeft === 0 && this.completedValue) {
        this.completedValue = false;
        if (this.valueDone()) return this.finish(pos);
      }
    }
  }

  /**
   * Handles the line b[pos, cr): a scalar, a blob header or an aggregate header. Returns
   * the position after its CRLF, or -1 after an error.
   */
  private element(b: Buffer, pos: number, cr: number, start: number): number {
    const type = b[pos]!;
    const after = cr + 2;
    this.completedValue = false;
    switch (type) {
      case 43: // + simple string
      case 45: // - error
      case 44: // , double
        break;
      case 58: // : integer
      case 40: // ( big number
        if (!isInteger(b, pos + 1, cr)) return this.fail('invalid integer in reply');
        break;
      case 95: // _ null
        if (cr !== pos + 1) return this.fail('invalid null in reply');
        break;
      case 35: // # boolean
        if (cr !== pos + 2 || (b[pos + 1] !== 116 && b[pos + 1] !== 102)) return this.fail('invalid boolean in reply');
        break;
      case 36: // $ bulk
      case 33: // ! blob error
      case 61: // = verbatim
        return this.blobHeader(b, pos, cr, start);
      case 42: // * array
      case 126: // ~ set
      case 62: // > push
      case 37: // % map
      case ATTRIBUTE:
        return this.aggregateHeader(b, pos, cr);
      default:
        return this.fail(`expected a reply type, got '${printable(type)}'`);
    }
    this.completedValue = true;
    return after;
  }

  private blobHeader(b: Buffer, pos: number, cr: number, start: number): number {
    const length = parseLengthOrNull(b, pos + 1, cr);
    if (length === -1 && b[pos] === 36) {
      this.completedValue = true; // $-1
      return cr + 2;
    }
    if (length < 0 || length > this.limits.maxBulkBytes) return this.fail('invalid bulk length');
    if (b[pos] === 61 && length < 4) return this.fail('invalid verbatim length');
    if (cr + 2 - start + length + 2 > this.limits.maxBufferedBytes) return this.fail(REPLY_BUFFER_LIMIT);
    this.blobLeft = length + 2;
    return cr + 2;
  }

  private aggregateHeader(b: Buffer, pos: number, cr: number): number {
    const type = b[pos]!;
    const count = parseLengthOrNull(b, pos + 1, cr);
    if (count === -1 && type === 42) {
      this.completedValue = true; // *-1
      return cr + 2;
    }
    if (count < 0 || count > this.limits.maxArgs) return this.fail('invalid multibulk length');
    const pairs = type === 37 || type === ATTRIBUTE;
    if (count === 0) {
      this.completedValue = type !== ATTRIBUTE;
      return cr + 2;
    }
    if (this.stack.length >= this.limits.maxNestingDepth) return this.fail('reply nesting too deep');
    this.stack.push({ remaining: pairs ? count * 2 : count, attribute: type === ATTRIBUTE });
    return cr + 2;
  }

  /** A value ended: count it in its aggregates. true when it completed the top-level reply. */
  private valueDone(): boolean {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return true;
      if (--top.remaining > 0) return false;
      this.stack.pop();
      if (top.attribute) return false;
    }
  }

  /** The same rule as the request parser: the smaller of the line and reply limits decides. */
  private lineLimitError(replyBytes: number, lineBytes: number): string | null {
    const lineCap = this.limits.maxInlineBytes;
    const replyCap = this.limits.maxBufferedBytes - replyBytes - 2;
    if (lineBytes <= Math.min(lineCap, replyCap)) return null;
    return lineCap > replyCap ? REPLY_BUFFER_LIMIT : 'too big reply line';
  }

  private suspend(offset: number): -2 {
    this.offset = offset;
    return -2;
  }

  private finish(pos: number): number {
    this.offset = 0;
    this.scanFrom = 0;
    return pos;
  }

  private fail(message: string): -1 {
    this.error = new ProtocolError(message);
    this.carry = Buffer.allocUnsafe(0);
    this.carryLength = 0;
    this.stack = [];
    this.blobLeft = 0;
    return -1;
  }
}

interface DecodeFrame {
  type: number;
  items: Reply[];
  remaining: number;
}

const NO_VALUE = Symbol('no value');

/**
 * Decodes the bytes of ONE complete reply (as ReplyReader delivers them) into Reply values,
 * without recursion: +x SimpleString, -x and !x ReplyError, :n number (bigint past the
 * safe range), (n bigint, $ Buffer, $-1 and _ null, *-1 NULL_ARRAY, , Double, # boolean,
 * = Verbatim, * array, ~ ReplySet, % Map, > Push. Attributes are dropped. Throws a
 * ProtocolError for anything malformed or trailing.
 */
export function decodeReply(raw: Buffer): Reply {
  const stack: DecodeFrame[] = [];
  let pos = 0;
  for (;;) {
    const cr = raw.indexOf(CR, pos);
    if (cr < 0 || raw[cr + 1] !== LF) throw new ProtocolError('incomplete reply');
    let value: Reply | typeof NO_VALUE;
    [value, pos] = decodeElement(raw, pos, cr, stack);
    if (value === NO_VALUE) continue;
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (pos !== raw.length) throw new ProtocolError('bytes after the reply');
        return value;
      }
      top.items.push(value);
      if (--top.remaining > 0) break;
      stack.pop();
      if (top.type === ATTRIBUTE) break;
      value = buildAggregate(top.type, top.items);
    }
  }
}

/** One element at `pos` (its line ends at `cr`): a value, or NO_VALUE after pushing a frame. */
function decodeElement(raw: Buffer, pos: number, cr: number, stack: DecodeFrame[]): [Reply | typeof NO_VALUE, number] {
  const type = raw[pos]!;
  const text = raw.toString('utf8', pos + 1, cr);
  const after = cr + 2;
  switch (type) {
    case 43: return [new SimpleString(text), after];
    case 45: return [new ReplyError(text), after];
    case 58: return [decodeInteger(text), after];
    case 40: return [decodeBigInt(text), after];
    case 44: return [new Double(decodeDouble(text)), after];
    case 35:
      if (text !== 't' && text !== 'f') throw new ProtocolError(`invalid boolean reply '${text}'`);
      return [text === 't', after];
    case 95: return [null, after];
    case 36: case 33: case 61: {
      const length = parseLengthOrNull(raw, pos + 1, cr);
      if (length === -1 && type === 36) return [null, after];
      const end = after + length;
      if (length < 0 || raw[end] !== CR || raw[end + 1] !== LF) throw new ProtocolError('invalid bulk reply');
      const data = raw.subarray(after, end);
      if (type === 36) return [data, end + 2];
      if (type === 33) return [new ReplyError(data.toString()), end + 2];
      return [new Verbatim(data.toString('utf8', 4), data.toString('latin1', 0, 3)), end + 2];
    }
    case 42: case 126: case 62: case 37: case ATTRIBUTE: {
      const count = parseLengthOrNull(raw, pos + 1, cr);
      if (count === -1 && type === 42) return [NULL_ARRAY, after];
      if (count < 0) throw new ProtocolError('invalid aggregate length');
      if (count === 0) return [type === ATTRIBUTE ? NO_VALUE : buildAggregate(type, []), after];
      stack.push({ type, items: [], remaining: type === 37 || type === ATTRIBUTE ? count * 2 : count });
      return [NO_VALUE, after];
    }
    default:
      throw new ProtocolError(`expected a reply type, got '${printable(type)}'`);
  }
}

function buildAggregate(type: number, items: Reply[]): Reply {
  switch (type) {
    case 126: return new ReplySet(items);
    case 62: return new Push(items);
    case 37: {
      const map = new Map<Reply, Reply>();
      for (let i = 0; i + 1 < items.length; i += 2) map.set(items[i]!, items[i + 1]!);
      return map;
    }
    default: return items;
  }
}

function decodeInteger(text: string): number | bigint {
  const n = decodeBigInt(text);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function decodeBigInt(text: string): bigint {
  if (!/^[-+]?\d+$/.test(text)) throw new ProtocolError(`invalid integer reply '${text}'`);
  return BigInt(text);
}

function decodeDouble(text: string): number {
  switch (text.toLowerCase()) {
    case 'inf': case '+inf': return Infinity;
    case '-inf': return -Infinity;
    case 'nan': case '-nan': return NaN;
  }
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new ProtocolError(`invalid double reply '${text}'`);
  return value;
}
