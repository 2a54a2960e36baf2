/**
 * The hard state {term, vote, commit} in one file with two fixed slots (double
 * buffering): `<dir>/hardstate`, slot k at offset k * 4096, each a frame (framing.ts)
 * holding  u8 version=1, u53 seq, u53 term, u53 commit, u8 hasVote, u16 voteLength,
 * vote (UTF-8).  load() picks the valid slot with the highest seq.
 *
 * Why slots rather than temp file + rename: one pwrite + one fdatasync per save instead
 * of two fsyncs and a rename. The rule that makes it atomic: a save never writes the slot
 * holding the newest *durable* state, so a torn write can only damage a slot whose
 * contents were never acknowledged, and the other slot still holds the last durable
 * save. Saves without sync (commit-only changes) keep overwriting that same other slot.
 * Saves run one at a time, so a slot is never written while its fsync is in flight.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HardState } from '../core/types.js';
import { assert } from '../../util/assert.js';
import { ensureDirSync, fdatasync, fsyncDirSync, writeAllSync } from './fs-durable.js';
import { FRAME_HEADER_BYTES, readFrameAt, sealFrame } from './framing.js';
import { readU53, writeU53 } from './log-records.js';
import { boolOption, rejectUnknownOptions } from './options.js';
import { CorruptionError, type StableStore } from './types.js';

export interface FileStableOptions {
  /** fsync saves that ask for it. false is `--nosync`. Default true. */
  readonly sync?: boolean;
}

export const HARD_STATE_FILE = 'hardstate';
const SLOT_BYTES = 4096;
const VERSION = 1;
const FIXED_BYTES = 1 + 8 + 8 + 8 + 1 + 2;
/** Node ids are short; the bound keeps a record inside its slot. */
export const MAX_VOTE_BYTES = 1024;

interface Slot {
  readonly seq: number;
  readonly state: HardState;
}

export function openFileStable(dir: string, options: FileStableOptions = {}): FileStableStore {
  rejectUnknownOptions('FileStableOptions', options, ['sync']);
  const sync = boolOption('FileStableOptions', 'sync', options.sync, true);
  ensureDirSync(dir, sync);
  const file = path.join(dir, HARD_STATE_FILE);
  const existed = fs.existsSync(file);
  const fd = fs.openSync(file, existed ? 'r+' : 'w+');
  try {
    const slots: [Slot | null, Slot | null] = existed ? readSlots(fd, file) : [null, null];
    // What was read may sit only in the page cache (a process crash with sync: false
    // saves): make it durable before overwriting the other slot relies on it.
    if (sync) fs.fsyncSync(fd);
    if (!existed && sync) fsyncDirSync(dir);
    return new FileStableStore(fd, sync, slots);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

function readSlots(fd: number, file: string): [Slot | null, Slot | null] {
  const buf = new Uint8Array(2 * SLOT_BYTES);
  const size = fs.readSync(fd, buf, 0, buf.length, 0);
  const slots: [Slot | null, Slot | null] = [decodeSlot(buf, 0, size), decodeSlot(buf, 1, size)];
  if (slots[0] === null && slots[1] === null) {
    // The very first save torn by a crash leaves one damaged slot and one never written.
    // Both slots holding bytes but neither valid is damage to acknowledged state.
    const written = [0, 1].filter((k) => buf.subarray(k * SLOT_BYTES, (k + 1) * SLOT_BYTES).some((b) => b !== 0));
    if (written.length === 2) throw new CorruptionError(file, 0, 'neither hard state slot is valid');
  }
  return slots;
}

function decodeSlot(buf: Uint8Array, k: number, size: number): Slot | null {
  const start = k * SLOT_BYTES;
  const frame = readFrameAt(buf, start, Math.min(size, start + SLOT_BYTES), SLOT_BYTES);
  if (!frame.ok || frame.payload.length < FIXED_BYTES || frame.payload[0] !== VERSION) return null;
  const p = frame.payload;
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const hasVote = view.getUint8(25) === 1;
  const voteLength = view.getUint16(26, true);
  if (FIXED_BYTES + voteLength !== p.length) return null;
  const vote = hasVote ? new TextDecoder().decode(p.subarray(FIXED_BYTES)) : null;
  return { seq: readU53(view, 1), state: { term: readU53(view, 9), commit: readU53(view, 17), vote } };
}

function encodeSlot(seq: number, state: HardState): Uint8Array {
  const vote = state.vote === null ? new Uint8Array(0) : new TextEncoder().encode(state.vote);
  assert(vote.length <= MAX_VOTE_BYTES, () => `node id of ${vote.length} bytes is over ${MAX_VOTE_BYTES}`);
  const frame = new Uint8Array(FRAME_HEADER_BYTES + FIXED_BYTES + vote.length);
  const view = new DataView(frame.buffer);
  const p = FRAME_HEADER_BYTES;
  view.setUint8(p, VERSION);
  writeU53(view, p + 1, seq);
  writeU53(view, p + 9, state.term);
  writeU53(view, p + 17, state.commit);
  view.setUint8(p + 25, state.vote === null ? 0 : 1);
  view.setUint16(p + 26, vote.length, true);
  frame.set(vote, p + FIXED_BYTES);
  sealFrame(frame, 0, frame.length);
  return frame;
}

export class FileStableStore implements StableStore {
  private latest: HardState | null;
  private seq: number;
  /** The slot holding the newest durable save (the one never to overwrite). */
  private durableSlot: 0 | 1;
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly sync: boolean,
    slots: [Slot | null, Slot | null],
  ) {
    const [a, b] = slots;
    const newest: 0 | 1 = b !== null && (a === null || b.seq > a.seq) ? 1 : 0;
    this.durableSlot = newest;
    this.latest = slots[newest]?.state ?? null;
    this.seq = Math.max(a?.seq ?? 0, b?.seq ?? 0);
  }

  load(): HardState | null {
    return this.latest;
  }

  save(state: HardState, options: { readonly sync: boolean }): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    assert(!this.closed, 'hard state store used after close()');
    const record = encodeSlot(++this.seq, state);
    this.latest = state;
    const done = this.tail.then(() => this.write(record, options.sync));
    this.tail = done.catch((err: unknown) => {
      this.failure ??= err as Error;
    });
    return done;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    fs.closeSync(this.fd);
  }

  private async write(record: Uint8Array, durable: boolean): Promise<void> {
    if (this.failure !== null) throw this.failure;
    const slot: 0 | 1 = this.durableSlot === 0 ? 1 : 0;
    writeAllSync(this.fd, record, slot * SLOT_BYTES);
    if (!durable) return;
    if (this.sync) await fdatasync(this.fd);
    this.durableSlot = slot;
  }
}
