/**
 * What the framework puts in Raft log entries. Every entry carries the leader's clock
 * reading and a random seed, so replicated time and randomness come from the log:
 *
 *   COMMANDS: [u8 kind=1][f64 timeMs][u32 seed][u32 count] then per command
 *             [u16 db][u32 argc] then per argument [u32 length][bytes]
 *   TICK:     [u8 kind=2][f64 timeMs][u32 seed]  (advances time when no commands flow)
 *
 * Little-endian throughout. An empty entry is the core's no-op on election.
 */
export const EntryPayloadKind = { Commands: 1, Tick: 2 } as const;

const HEADER_BYTES = 1 + 8 + 4;

export interface CommandRecord {
  readonly db: number;
  readonly args: readonly Uint8Array[];
}

/** A command read back from an entry: its arguments are Buffers viewing the entry's data. */
export interface DecodedCommand {
  readonly db: number;
  readonly args: Buffer[];
}

export type DecodedPayload =
  | { readonly kind: 'noop' }
  | { readonly kind: 'tick'; readonly timeMs: number; readonly seed: number }
  | { readonly kind: 'commands'; readonly timeMs: number; readonly seed: number; readonly commands: DecodedCommand[] };

export class EntryFormatError extends Error {
  override name = 'EntryFormatError';
}

/** Bytes a command adds to a COMMANDS entry (for batch size limits). */
export function encodedCommandBytes(args: readonly Uint8Array[]): number {
  let n = 2 + 4;
  for (const a of args) n += 4 + a.length;
  return n;
}

export function encodeCommands(timeMs: number, seed: number, commands: readonly CommandRecord[]): Uint8Array {
  let size = HEADER_BYTES + 4;
  for (const c of commands) size += encodedCommandBytes(c.args);
  const out = Buffer.allocUnsafe(size);
  let o = writeHeader(out, EntryPayloadKind.Commands, timeMs, seed);
  o = out.writeUInt32LE(commands.length, o);
  for (const c of commands) {
    o = out.writeUInt16LE(c.db, o);
    o = out.writeUInt32LE(c.args.length, o);
    for (const a of c.args) {
      o = out.writeUInt32LE(a.length, o);
      out.set(a, o);
      o += a.length;
    }
  }
  return out;
}

export function encodeTick(timeMs: number, seed: number): Uint8Array {
  const out = Buffer.allocUnsafe(HEADER_BYTES);
  writeHeader(out, EntryPayloadKind.Tick, timeMs, seed);
  return out;
}

function writeHeader(out: Buffer, kind: number, timeMs: number, seed: number): number {
  let o = out.writeUInt8(kind, 0);
  o = out.writeDoubleLE(timeMs, o);
  return out.writeUInt32LE(seed >>> 0, o);
}

/** Decodes an entry's data; argument buffers are views into `data` (no copies). */
export function decodePayload(data: Uint8Array): DecodedPayload {
  if (data.length === 0) return { kind: 'noop' };
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < HEADER_BYTES) throw new EntryFormatError(`entry of ${buf.length} bytes is shorter than its header`);
  const kind = buf.readUInt8(0);
  const timeMs = buf.readDoubleLE(1);
  const seed = buf.readUInt32LE(9);
  if (kind === EntryPayloadKind.Tick) return { kind: 'tick', timeMs, seed };
  if (kind !== EntryPayloadKind.Commands) throw new EntryFormatError(`unknown entry kind ${kind}`);
  let o = HEADER_BYTES;
  const need = (n: number): void => {
    if (o + n > buf.length) throw new EntryFormatError('entry ends inside a command');
  };
  need(4);
  const count = buf.readUInt32LE(o);
  o += 4;
  const commands: DecodedCommand[] = new Array(count);
  for (let i = 0; i < count; i++) {
    need(6);
    const db = buf.readUInt16LE(o);
    const argc = buf.readUInt32LE(o + 2);
    o += 6;
    const args: Buffer[] = new Array(argc);
    for (let j = 0; j < argc; j++) {
      need(4);
      const len = buf.readUInt32LE(o);
      o += 4;
      need(len);
      args[j] = buf.subarray(o, o + len);
      o += len;
    }
    commands[i] = { db, args };
  }
  return { kind: 'commands', timeMs, seed, commands };
}
