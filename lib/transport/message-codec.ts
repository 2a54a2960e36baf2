/**
 * Raft messages on the wire: msgpack, decoded with size limits and checked field by field,
 * so a peer that sends garbage is caught here and never reaches the core.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import type { Entry, Message, MessageType } from '../raft/core/types.js';

const MESSAGE_TYPES: ReadonlySet<string> = new Set<MessageType>([
  'app', 'appResp', 'vote', 'voteResp', 'preVote', 'preVoteResp', 'heartbeat', 'heartbeatResp',
  'snap', 'snapResp', 'timeoutNow', 'readIndex', 'readIndexResp', 'transferLeader',
]);

export class MessageFormatError extends Error {
  override name = 'MessageFormatError';
}

const encoder = new Encoder({ ignoreUndefined: true });

export function encodeMessage(message: Message): Uint8Array {
  return encoder.encode(message);
}

export function createMessageDecoder(maxBytes: number): (bytes: Uint8Array) => Message {
  const decoder = new Decoder({
    maxStrLength: 1024 * 1024,
    maxBinLength: maxBytes,
    maxArrayLength: 1_000_000,
    maxMapLength: 64,
    maxExtLength: 0,
  });
  return (bytes) => {
    let value: unknown;
    try {
      value = decoder.decode(bytes);
    } catch (err) {
      throw new MessageFormatError(`undecodable peer message: ${(err as Error).message}`);
    }
    return checkMessage(value);
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function checkEntry(value: unknown): Entry {
  if (!isRecord(value) || !isCount(value.index) || !isCount(value.term) || (value.kind !== 0 && value.kind !== 1) || !(value.data instanceof Uint8Array)) {
    throw new MessageFormatError('malformed entry in peer message');
  }
  return value as unknown as Entry;
}

/** Shape checks for the fields every handler relies on; the core validates meaning. */
function checkMessage(value: unknown): Message {
  if (!isRecord(value)) throw new MessageFormatError('peer message is not a map');
  if (typeof value.type !== 'string' || !MESSAGE_TYPES.has(value.type)) throw new MessageFormatError(`unknown peer message type ${String(value.type)}`);
  if (typeof value.from !== 'string' || typeof value.to !== 'string' || !isCount(value.term)) {
    throw new MessageFormatError('peer message lacks from/to/term');
  }
  for (const field of ['logTerm', 'index', 'commit', 'rejectHint'] as const) {
    if (value[field] !== undefined && !isCount(value[field])) throw new MessageFormatError(`peer message field ${field} is not a count`);
  }
  if (value.reject !== undefined && typeof value.reject !== 'boolean') throw new MessageFormatError('peer message field reject is not a boolean');
  if (value.context !== undefined && !(value.context instanceof Uint8Array)) throw new MessageFormatError('peer message field context is not bytes');
  if (value.entries !== undefined) {
    if (!Array.isArray(value.entries)) throw new MessageFormatError('peer message entries is not an array');
    value.entries.forEach(checkEntry);
  }
  if (value.chunk !== undefined) {
    const c = value.chunk;
    if (!isRecord(c) || !isCount(c.offset) || !isCount(c.totalBytes) || !(c.data instanceof Uint8Array)) throw new MessageFormatError('malformed snapshot chunk');
  }
  if (value.snapshot !== undefined) {
    const s = value.snapshot;
    if (!isRecord(s) || !isCount(s.index) || !isCount(s.term) || !isRecord(s.conf)) throw new MessageFormatError('malformed snapshot metadata');
  }
  return value as unknown as Message;
}
