/**
 * Replies in one comparable shape, whichever side produced them: what a RESP2 client sees.
 *   "+OK" simple string, "-ERR ..." error, ":12" integer, "$text" bulk string (latin1),
 *   null for a null bulk string, "*-1" for a null array, arrays as arrays.
 * The in-process kvd's reply values are converted with toWire; a real server's bytes are
 * read by RespClient (resp-client.ts) into the same shape.
 */
import { BinaryString, Double, NullArray, Push, RawReply, ReplyError, ReplySet, SimpleString, Verbatim, type Reply } from '../../lib/resp/types.js';

export type Wire = string | null | Wire[];

export const NULL_ARRAY_WIRE = '*-1';

export function toWire(reply: Reply): Wire {
  if (reply === null) return null;
  if (typeof reply === 'number') {
    if (!Number.isInteger(reply)) throw new Error(`a non-integer number is not a valid reply: ${reply}`);
    return `:${reply}`;
  }
  if (typeof reply === 'bigint') return `:${reply}`;
  if (typeof reply === 'boolean') return reply ? ':1' : ':0';
  if (typeof reply === 'string') return `$${Buffer.from(reply, 'utf8').toString('latin1')}`;
  if (reply instanceof Uint8Array) return `$${Buffer.from(reply).toString('latin1')}`;
  if (reply instanceof BinaryString) return `$${reply.value}`;
  if (reply instanceof SimpleString) return `+${reply.value}`;
  if (reply instanceof ReplyError) return `-${reply.message}`;
  if (reply instanceof Double) return `$${String(reply.value)}`;
  if (reply instanceof Verbatim) return `$${reply.text}`;
  if (reply instanceof NullArray) return NULL_ARRAY_WIRE;
  if (reply instanceof ReplySet || reply instanceof Push) return reply.items.map(toWire);
  if (reply instanceof RawReply) throw new Error('a raw reply cannot be compared');
  if (reply instanceof Map) {
    const flat: Wire[] = [];
    for (const [k, v] of reply) flat.push(toWire(k), toWire(v));
    return flat;
  }
  return (reply as readonly Reply[]).map(toWire);
}

/** The integer of an integer reply, or throws. */
export function wireInt(wire: Wire): number {
  if (typeof wire !== 'string' || !wire.startsWith(':')) throw new Error(`not an integer reply: ${JSON.stringify(wire)}`);
  return Number(wire.slice(1));
}

/** The text of a bulk reply, or throws. */
export function wireBulk(wire: Wire): string {
  if (typeof wire !== 'string' || !wire.startsWith('$')) throw new Error(`not a bulk reply: ${JSON.stringify(wire)}`);
  return wire.slice(1);
}
