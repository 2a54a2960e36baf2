/**
 * Reply values: what command handlers return and the writer encodes for RESP2 or RESP3.
 *
 *   null                 -> null bulk ($-1 / RESP3 _)
 *   number (integer)     -> integer (:n); a non-integer number is a bug (use Double)
 *   bigint               -> integer
 *   string               -> bulk string, UTF-8
 *   Uint8Array / Buffer  -> bulk string, bytes as they are
 *   BinaryString         -> bulk string of the bytes a latin1 string holds (one char per byte)
 *   boolean              -> RESP3 boolean (#t/#f); RESP2 integer 1/0
 *   SimpleString         -> +status
 *   ReplyError           -> -CODE message
 *   Double               -> RESP3 double (,); RESP2 bulk string
 *   Verbatim             -> RESP3 verbatim (=); RESP2 bulk string
 *   NullArray            -> *-1 (RESP2) / _ (RESP3)
 *   Reply[]              -> array
 *   ReplySet             -> RESP3 set (~); RESP2 array
 *   Map<Reply, Reply>    -> RESP3 map (%); RESP2 flat array of key, value, ...
 *   Push                 -> RESP3 push (>); RESP2 array
 *   RawReply             -> bytes already encoded for the connection's protocol (forwarding)
 */
export type Reply =
  | null
  | number
  | bigint
  | string
  | Uint8Array
  | BinaryString
  | boolean
  | SimpleString
  | ReplyError
  | Double
  | Verbatim
  | NullArray
  | ReplySet
  | Push
  | RawReply
  | readonly Reply[]
  | ReadonlyMap<Reply, Reply>;

export class SimpleString {
  constructor(readonly value: string) {}
}

export const OK = new SimpleString('OK');
export const PONG = new SimpleString('PONG');
export const QUEUED = new SimpleString('QUEUED');

/**
 * An error reply. `message` is the whole line after '-', starting with the error code as
 * Redis does: new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value').
 * Handlers throw or return it; the client sees it and the connection stays open.
 */
export class ReplyError extends Error {
  override name = 'ReplyError';
  constructor(message: string) {
    super(message.replace(/[\r\n]+/g, ' '));
  }
  /** The code: the first word (ERR, WRONGTYPE, MOVED, ...). */
  get code(): string {
    const space = this.message.indexOf(' ');
    return space < 0 ? this.message : this.message.slice(0, space);
  }
}

/**
 * Bytes kept as a latin1 JS string (one char per byte, the compact way apps store binary
 * values): written as a bulk string straight from the string, with no Buffer in between.
 */
export class BinaryString {
  constructor(readonly value: string) {}
}

export class Double {
  constructor(readonly value: number) {}
}

export class Verbatim {
  /** format is three characters, 'txt' or 'mkd'. */
  constructor(
    readonly text: string,
    readonly format = 'txt',
  ) {}
}

export class NullArray {
  private constructor() {}
  static readonly instance = new NullArray();
}
export const NULL_ARRAY = NullArray.instance;

export class ReplySet {
  constructor(readonly items: readonly Reply[]) {}
}

export class Push {
  constructor(readonly items: readonly Reply[]) {}
}

export class RawReply {
  constructor(readonly bytes: Uint8Array) {}
}

export type ProtocolVersion = 2 | 3;

/**
 * A malformed request. The server answers `-ERR Protocol error: <message>` and closes the
 * connection, as Redis does.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}
