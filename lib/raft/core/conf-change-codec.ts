/**
 * The wire form of a membership change inside a ConfChange log entry. JSON through
 * TextEncoder keeps it readable in log dumps and free of dependencies; these entries are
 * rare, so compactness does not matter.
 */
import type { ConfChange, ConfChangeOp } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const OPS: readonly ConfChangeOp[] = ['addLearner', 'promote', 'addVoter', 'remove'];

export function encodeConfChange(change: ConfChange): Uint8Array {
  return encoder.encode(JSON.stringify({ op: change.op, id: change.id, addr: change.addr }));
}

/** Throws when the bytes are not a ConfChange written by encodeConfChange. */
export function decodeConfChange(data: Uint8Array): ConfChange {
  const value: unknown = JSON.parse(decoder.decode(data));
  if (typeof value !== 'object' || value === null) throw new Error('conf change: not an object');
  const { op, id, addr } = value as Record<string, unknown>;
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
    throw new Error(`conf change: unknown op ${String(op)}`);
  }
  if (typeof id !== 'string' || id === '') throw new Error('conf change: missing id');
  if (typeof addr !== 'string') throw new Error('conf change: missing addr');
  return { op: op as ConfChangeOp, id, addr };
}
