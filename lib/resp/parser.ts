import { ProtocolError } from './types.js';
import { type RespLimits, validateRespLimits } from './limits.js';
import { splitInlineArgs } from './inline.js';
import { CR, LF, MAX_DIGITS, parseLength, printable } from './scan.js';
import { PROTOCOL_ERRORS } from './protocol-errors.js';

/**
 * The incremental request parser: RESP multibulk (`*N\r\n$len\r\n...`) and inline commands.
 *
 * Two paths share one set of rules:
 * - the fast path parses a request that lies whole inside the chunk, without touching
 *   parser state; at anything unusual (incomplete, a limit, malformed) it gives up;
 * - the slow path is a resumable state machine that takes the request from its first
 *   byte, holds what has arrived so far, and alone reports protocol errors.
 * Every check is a function of the bytes, never of where the chunks were split, so the
 * same input gives the same commands and the same error at any split. Each byte is
 * scanned a bounded number of times (a 100 MB bulk in 64 KB chunks is O(n)).
 *
 * Arguments ALIAS the pushed chunks (zero-copy views) whenever a bulk or inline word lies
 * inside one chunk: the caller must not modify a chunk after pushing it (node's socket
 * 'data' buffers are never reused, so a server can keep args as they are).
 */

const STAR = 42;
const DOLLAR = 36;
const ZERO = 48;
const NINE = 57;

const IDLE = 0;
const COUNT_LINE = 1;
const BULK_LINE = 2;
const BULK_DATA = 3;
const BULK_TAIL = 4;
const INLINE_LINE = 5;
const FAILED = 6;

/** What redis-server accepts before AUTH when a password is set: 10 arguments of 16 KiB. */
export const UNAUTHENTICATED_LIMITS: Readonly<Partial<RespLimits>> = Object.freeze({ maxArgs: 10, maxBulkBytes: 16384 });

export class RequestParser {
  private limits: RespLimits;
  private phase = IDLE;
  private error: ProtocolError | null = null;
  private unauthenticated = false;
  /** Bytes of the current request consumed by completed lines and bulks. */
  private requestBytes = 0;
  /** Partial line carried between chunks (content before CR, or before LF when inline). */
  private line = Buffer.allocUnsafe(0);
  private lineLength = 0;
  /** The line's content ended with CR; the LF has not arrived yet. */
  private lineAwaitsLf = false;
  private lineValue = 0;
  /** The number fastLength() read last. */
  private fastValue = 0;
  private args: Buffer[] = [];
  private argsLeft = 0;
  private bulkLength = 0;
  private bulk: Buffer | null = null;
  private bulkFilled = 0;
  private bulkArg: Buffer | null = null;
  private tailSeen = 0;

  constructor(limits: Partial<RespLimits> = {}) {
    this.limits = validateRespLimits(limits);
  }

  /**
   * The server tightens the limits before AUTH and widens them for peers. With
   * `unauthenticated`, a count or bulk length over the limit reads as Redis's
   * `unauthenticated multibulk length` / `unauthenticated bulk length`
   * (see UNAUTHENTICATED_LIMITS).
   */
  setLimits(limits: Partial<RespLimits>, options: { unauthenticated?: boolean } = {}): void {
    this.limits = validateRespLimits({ ...this.limits, ...limits });
    this.unauthenticated = options.unauthenticated ?? false;
  }

  /** Bytes of an incomplete request held now (0 between requests and after an error). */
  get bufferedBytes(): number {
    switch (this.phase) {
      case COUNT_LINE:
      case BULK_LINE:
        return this.requestBytes + this.lineLength + (this.lineAwaitsLf ? 1 : 0);
      case BULK_DATA:
        return this.requestBytes + this.bulkFilled;
      case BULK_TAIL:
        return this.requestBytes + this.bulkLength + this.tailSeen;
      case INLINE_LINE:
        return this.lineLength;
      default:
        return 0;
    }
  }

  /**
   * Parses `chunk`, calling onCommand for every complete command in order. Returns null,
   * or the ProtocolError that must end the connection (commands before it were
   * delivered); from then on every push returns the same error. If onCommand throws, the
   * exception propagates and the rest of the chunk is lost: close the connection.
   */
  push(chunk: Buffer, onCommand: (args: Buffer[]) => void): ProtocolError | null {
    if (this.error) return this.error;
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (this.phase === IDLE) {
        const next =
          chunk[pos] === STAR
            ? this.fastMultibulk(chunk, pos, end, onCommand)
            : this.fastInline(chunk, pos, end, onCommand);
        if (next >= 0) {
          pos = next;
          continue;
        }
      }
      pos = this.slowRequest(chunk, pos, onCommand);
      if (pos < 0) return this.error;
    }
    return null;
  }

  // ---- fast path: a whole request inside the chunk, no state touched ----

  /** Returns the position after the request, or -1 to let the slow path take it. */
  private fastMultibulk(b: Buffer, start: number, end: number, onCommand: (args: Buffer[]) => void): number {
    const { maxArgs, maxBulkBytes, maxInlineBytes, maxBufferedBytes } = this.limits;
    let p = this.fastLength(b, start + 1, end, maxInlineBytes);
    const count = this.fastValue;
    if (p < 0 || count > maxArgs) return -1;
    // Each argument takes at least 6 bytes ($0\r\n\r\n): a request that cannot fit is not
    // worth starting, and a huge count allocates nothing.
    if (end - p < count * 6) return -1;
    const args = new Array<Buffer>(count);
    for (let i = 0; i < count; i++) {
      if (b[p] !== DOLLAR) return -1;
      p = this.fastLength(b, p + 1, end, maxInlineBytes);
      const length = this.fastValue;
      if (p < 0 || length > maxBulkBytes) return -1;
      const dataEnd = p + length;
      if (dataEnd + 1 >= end || b[dataEnd] !== CR || b[dataEnd + 1] !== LF) return -1;
      args[i] = b.subarray(p, dataEnd);
      p = dataEnd + 2;
    }
    if (p - start > maxBufferedBytes) return -1;
    if (count > 0) onCommand(args);
    return p;
  }

  /**
   * Reads `digits\r\n` at `p` (just after the '*' or '$'): returns the position after the
   * LF with the number in fastValue, or -1 for anything the slow path must look at.
   */
  private fastLength(b: Buffer, p: number, end: number, maxLine: number): number {
    const from = p;
    let value = 0;
    while (p < end) {
      const c = b[p]!;
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
      p++;
    }
    const digits = p - from;
    if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && b[from] === ZERO) || digits + 1 > maxLine) return -1;
    if (p + 1 >= end || b[p] !== CR || b[p + 1] !== LF) return -1;
    this.fastValue = value;
    return p + 2;
  }

  private fastInline(b: Buffer, start: number, end: number, onCommand: (args: Buffer[]) => void): number {
    const lf = b.indexOf(LF, start);
    if (lf < 0) return -1;
    const length = lf - start;
    if (length > this.limits.maxInlineBytes || length + 2 > this.limits.maxBufferedBytes) return -1;
    const contentEnd = lf > start && b[lf - 1] === CR ? lf - 1 : lf;
    const args = splitInlineArgs(b, start, contentEnd);
    if (args === null) return -1;
    if (args.length > 0) onCommand(args);
    return lf + 1;
  }

  // ---- slow path: one request, resumable at any byte ----

  /**
   * Advances the current request from `pos`. Returns the position after the request once
   * it is complete (phase back to IDLE), the chunk's end if it needs more bytes, or -1
   * after recording a protocol error.
   */
  private slowRequest(b: Buffer, pos: number, onCommand: (args: Buffer[]) => void): number {
    const end = b.length;
    while (pos < end) {
      switch (this.phase) {
        case IDLE:
          this.startRequest(b[pos] === STAR ? COUNT_LINE : INLINE_LINE);
          break;
        case COUNT_LINE:
        case BULK_LINE:
          pos = this.readRespLine(b, pos, end);
          if (pos < 0) return -1;
          if (this.isIdle()) return pos; // *0: nothing to deliver
          break;
        case BULK_DATA:
          pos = this.readBulkData(b, pos, end);
          break;
        case BULK_TAIL:
          if (b[pos] !== (this.tailSeen === 0 ? CR : LF)) {
            return this.fail(PROTOCOL_ERRORS.bulkNotTerminated(this.bulkLength));
          }
          pos++;
          if (++this.tailSeen === 2 && this.finishArg(onCommand)) return pos;
          break;
        case INLINE_LINE:
          return this.readInlineLine(b, pos, end, onCommand);
        default:
          return -1;
      }
    }
    return pos;
  }

  /** A method, so the compiler does not narrow `phase` across the calls that change it. */
  private isIdle(): boolean {
    return this.phase === IDLE;
  }

  private startRequest(phase: number): void {
    this.phase = phase;
    this.requestBytes = 0;
    this.args = [];
    this.resetLine();
  }

  private resetLine(): void {
    this.lineLength = 0;
    this.lineAwaitsLf = false;
  }

  /** Reads a `*N` or `$N` line. Returns the new position, or -1 after an error. */
  private readRespLine(b: Buffer, pos: number, end: number): number {
    if (this.lineAwaitsLf) {
      if (b[pos] !== LF) return this.fail(PROTOCOL_ERRORS.lengthNotTerminated(this.phase === COUNT_LINE ? 'multibulk' : 'bulk'));
      this.requestBytes += this.lineLength + 2;
      this.resetLine();
      this.lineDone();
      return pos + 1;
    }
    if (this.phase === BULK_LINE && this.lineLength === 0 && b[pos] !== DOLLAR) {
      return this.fail(PROTOCOL_ERRORS.expectedDollar(printable(b[pos]!)));
    }
    const cr = b.indexOf(CR, pos);
    const stop = cr < 0 ? end : cr;
    const error = this.lineLimitError(this.lineLength + (stop - pos));
    if (error) return this.fail(error);
    let value: number;
    if (this.lineLength === 0 && cr >= 0) {
      value = parseLength(b, pos + 1, cr);
      this.lineLength = cr - pos;
    } else {
      this.appendLine(b, pos, stop);
      if (cr < 0) return end;
      value = parseLength(this.line, 1, this.lineLength);
    }
    const invalid = this.checkLength(value);
    if (invalid) return this.fail(invalid);
    this.lineValue = value;
    this.lineAwaitsLf = true;
    return cr + 1;
  }

  /** The error for a complete `*N` / `$N` value, or null. Runs before the LF is read. */
  private checkLength(value: number): string | null {
    if (this.phase === COUNT_LINE) {
      if (value < 0) return PROTOCOL_ERRORS.invalidMultibulkLength;
      if (value <= this.limits.maxArgs) return null;
      return this.unauthenticated ? PROTOCOL_ERRORS.unauthenticatedMultibulkLength : PROTOCOL_ERRORS.invalidMultibulkLength;
    }
    if (value < 0) return PROTOCOL_ERRORS.invalidBulkLength;
    if (value > this.limits.maxBulkBytes) {
      return this.unauthenticated ? PROTOCOL_ERRORS.unauthenticatedBulkLength : PROTOCOL_ERRORS.invalidBulkLength;
    }
    const afterHeader = this.requestBytes + this.lineLength + 2;
    return afterHeader + value + 2 > this.limits.maxBufferedBytes ? PROTOCOL_ERRORS.queryBufferLimit : null;
  }

  private lineDone(): void {
    const value = this.lineValue;
    if (this.phase === COUNT_LINE) {
      this.argsLeft = value;
      this.phase = value === 0 ? IDLE : BULK_LINE;
      return;
    }
    this.bulkLength = value;
    this.bulkFilled = 0;
    this.bulk = null;
    this.phase = BULK_DATA;
  }

  /**
   * A line of `length` content bytes at the current request offset breaks a limit: the
   * line limit or the request limit, whichever is smaller, so that a partial line and the
   * complete line always fail the same way.
   */
  private lineLimitError(length: number): string | null {
    const lineCap = this.limits.maxInlineBytes;
    const requestCap = this.limits.maxBufferedBytes - this.requestBytes - 2;
    if (length <= Math.min(lineCap, requestCap)) return null;
    if (lineCap > requestCap) return PROTOCOL_ERRORS.queryBufferLimit;
    if (this.phase === COUNT_LINE) return PROTOCOL_ERRORS.tooBigMbulkCountString;
    if (this.phase === BULK_LINE) return PROTOCOL_ERRORS.tooBigBulkCountString;
    return PROTOCOL_ERRORS.tooBigInlineRequest;
  }

  private appendLine(b: Buffer, from: number, to: number): void {
    const needed = this.lineLength + (to - from);
    if (needed > this.line.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.line.length * 2, 64));
      this.line.copy(grown, 0, 0, this.lineLength);
      this.line = grown;
    }
    b.copy(this.line, this.lineLength, from, to);
    this.lineLength = needed;
  }

  private readBulkData(b: Buffer, pos: number, end: number): number {
    const need = this.bulkLength - this.bulkFilled;
    if (this.bulkFilled === 0 && end - pos >= need) {
      this.bulkArg = b.subarray(pos, pos + need);
    } else {
      const take = Math.min(need, end - pos);
      const bulk = this.growBulk(this.bulkFilled + take);
      b.copy(bulk, this.bulkFilled, pos, pos + take);
      this.bulkFilled += take;
      if (this.bulkFilled < this.bulkLength) return end;
      this.bulkArg = bulk;
      this.bulk = null;
    }
    this.phase = BULK_TAIL;
    this.tailSeen = 0;
    return pos + need;
  }

  /** Room for `needed` bytes, doubling but never past the bulk's length, so the final buffer is exactly the argument. */
  private growBulk(needed: number): Buffer {
    const current = this.bulk;
    if (current && current.length >= needed) return current;
    const size = Math.min(this.bulkLength, Math.max(needed, (current?.length ?? 0) * 2, 16 * 1024));
    const grown = Buffer.allocUnsafe(size);
    if (current) current.copy(grown, 0, 0, this.bulkFilled);
    this.bulk = grown;
    return grown;
  }

  /** Adds the finished bulk to the request; delivers the request when it was the last. */
  private finishArg(onCommand: (args: Buffer[]) => void): boolean {
    this.args.push(this.bulkArg!);
    this.bulkArg = null;
    this.requestBytes += this.bulkLength + 2;
    if (--this.argsLeft > 0) {
      this.phase = BULK_LINE;
      this.resetLine();
      return false;
    }
    const args = this.args;
    this.args = [];
    this.phase = IDLE;
    onCommand(args);
    return true;
  }

  private readInlineLine(b: Buffer, pos: number, end: number, onCommand: (args: Buffer[]) => void): number {
    const lf = b.indexOf(LF, pos);
    const stop = lf < 0 ? end : lf;
    const error = this.lineLimitError(this.lineLength + (stop - pos));
    if (error) return this.fail(error);
    let line = b;
    let start = pos;
    let contentEnd = stop;
    if (this.lineLength > 0 || lf < 0) {
      this.appendLine(b, pos, stop);
      if (lf < 0) return end;
      // The carried line buffer is reused, so the arguments get their own copy.
      line = Buffer.from(this.line.subarray(0, this.lineLength));
      start = 0;
      contentEnd = line.length;
    }
    if (contentEnd > start && line[contentEnd - 1] === CR) contentEnd--;
    const args = splitInlineArgs(line, start, contentEnd);
    if (args === null) return this.fail(PROTOCOL_ERRORS.unbalancedQuotes);
    this.phase = IDLE;
    this.resetLine();
    if (args.length > 0) onCommand(args);
    return lf + 1;
  }

  private fail(message: string): -1 {
    this.error = new ProtocolError(message);
    this.phase = FAILED;
    this.args = [];
    this.bulk = null;
    this.bulkArg = null;
    this.line = Buffer.allocUnsafe(0);
    this.resetLine();
    return -1;
  }
}
